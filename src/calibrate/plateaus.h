// Plateaus and steps of a latency curve (latency against footprint): a plateau is a run of
// consecutive points whose values all lie within a band (max - min at most rel_tol of the
// smallest, or abs_tol, whichever is larger); points between plateaus are the transition. A
// step is where one plateau ends and the next begins.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hvsim {

struct CurvePoint {
  uint64_t x = 0;  // footprint: bytes, or pages
  double y = 0;    // latency: cycles or ns
};

struct Plateau {
  size_t first = 0, last = 0;  // indices of its first and last point
  uint64_t x_first = 0, x_last = 0;
  double level = 0;  // median of its values
  size_t points() const { return last - first + 1; }
};

struct PlateauRule {
  double rel_tol = 0.10;
  double abs_tol = 0.5;
  size_t min_points = 2;  // fewer consecutive points in a band are transition
};

// The plateaus of `curve` (sorted by x), left to right: each grows from its first point while
// the next point keeps the band; a run shorter than min_points is skipped one point at a time.
// Neighbouring plateaus whose levels would keep one band are then joined (a slow drift split
// them), taking the points between.
std::vector<Plateau> find_plateaus(const std::vector<CurvePoint>& curve, const PlateauRule& rule = {});

// Each value replaced by the median of it and its two neighbours (the ends kept): one point
// disturbed by another tenant of the core no longer splits a plateau.
std::vector<CurvePoint> smooth_median3(const std::vector<CurvePoint>& curve);

// Where the curve steps from plateau `lo` up to plateau `hi`: the last x before the first point
// (from lo's last on) at or above half-way between their levels.
uint64_t step_position(const std::vector<CurvePoint>& curve, const Plateau& lo, const Plateau& hi);

// The point-wise difference a - b of two curves over the same x (the first min(size) points).
std::vector<CurvePoint> curve_difference(const std::vector<CurvePoint>& a, const std::vector<CurvePoint>& b);

}  // namespace hvsim
