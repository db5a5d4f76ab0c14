#include "calibrate/plateaus.h"

#include <algorithm>
#include <cmath>

#include "calibrate/stable_repeat.h"

namespace hvsim {
namespace {

bool in_band(double lo, double hi, const PlateauRule& rule) {
  return hi - lo <= std::max(rule.rel_tol * std::abs(lo), rule.abs_tol);
}

// The last index j >= i such that points i..j keep one band.
size_t band_end(const std::vector<CurvePoint>& c, size_t i, const PlateauRule& rule) {
  double lo = c[i].y, hi = c[i].y;
  size_t j = i;
  while (j + 1 < c.size()) {
    const double nlo = std::min(lo, c[j + 1].y), nhi = std::max(hi, c[j + 1].y);
    if (!in_band(nlo, nhi, rule)) break;
    lo = nlo;
    hi = nhi;
    ++j;
  }
  return j;
}

Plateau make_plateau(const std::vector<CurvePoint>& c, size_t i, size_t j) {
  std::vector<double> ys;
  for (size_t k = i; k <= j; ++k) ys.push_back(c[k].y);
  return {i, j, c[i].x, c[j].x, median_of(ys)};
}

// Neighbouring plateaus whose levels keep one band are one plateau that drifted: joined, with
// the points between them.
std::vector<Plateau> join_close(const std::vector<CurvePoint>& c, const std::vector<Plateau>& ps,
                                const PlateauRule& rule) {
  std::vector<Plateau> out;
  for (const Plateau& p : ps) {
    if (!out.empty() &&
        in_band(std::min(out.back().level, p.level), std::max(out.back().level, p.level), rule))
      out.back() = make_plateau(c, out.back().first, p.last);
    else
      out.push_back(p);
  }
  return out;
}

}  // namespace

std::vector<Plateau> find_plateaus(const std::vector<CurvePoint>& curve, const PlateauRule& rule) {
  std::vector<Plateau> out;
  size_t i = 0;
  while (i < curve.size()) {
    const size_t j = band_end(curve, i, rule);
    if (j - i + 1 < std::max<size_t>(rule.min_points, 1)) {
      ++i;
      continue;
    }
    out.push_back(make_plateau(curve, i, j));
    i = j + 1;
  }
  return join_close(curve, out, rule);
}

std::vector<CurvePoint> smooth_median3(const std::vector<CurvePoint>& curve) {
  std::vector<CurvePoint> out = curve;
  for (size_t i = 1; i + 1 < curve.size(); ++i) {
    double a = curve[i - 1].y, b = curve[i].y, c = curve[i + 1].y;
    out[i].y = std::max(std::min(a, b), std::min(std::max(a, b), c));
  }
  return out;
}

uint64_t step_position(const std::vector<CurvePoint>& curve, const Plateau& lo, const Plateau& hi) {
  const double half = (lo.level + hi.level) / 2;
  for (size_t i = lo.last + 1; i <= hi.first && i < curve.size(); ++i)
    if (curve[i].y >= half) return curve[i - 1].x;
  return lo.x_last;
}

std::vector<CurvePoint> curve_difference(const std::vector<CurvePoint>& a, const std::vector<CurvePoint>& b) {
  std::vector<CurvePoint> d;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) d.push_back({a[i].x, a[i].y - b[i].y});
  return d;
}

}  // namespace hvsim
