#include "calibrate/latency_curves.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "calibrate/core_clock.h"
#include "calibrate/pointer_chase.h"
#include "common/units.h"

namespace hvsim {
namespace {

constexpr double kRunNs = 5e6;  // one timed run: about 5 ms
constexpr uint64_t kMinLoads = 16384, kMaxLoads = uint64_t{1} << 22;
constexpr uint64_t kMinWarm = 65536;
constexpr double kWarmNs = 50e6;
constexpr uint64_t kClockIterations = 1000;  // 200k adds beside each run: ~0.1 ms

}  // namespace

std::vector<CurvePoint> ChaseCurve::cycles(double ghz, bool in_pages) const {
  std::vector<CurvePoint> c;
  for (const auto& p : points)
    c.push_back({in_pages ? p.footprint / kSmallPage : p.footprint, p.ns.median * ghz});
  return c;
}

Spread ChaseCurve::spread_between(uint64_t from, uint64_t to) const {
  Spread s;
  std::vector<double> medians;
  for (const auto& p : points) {
    if (p.footprint < from || p.footprint > to) continue;
    s.min = medians.empty() ? p.ns.min : std::min(s.min, p.ns.min);
    s.max = std::max(s.max, p.ns.max);
    s.runs += p.ns.runs;
    medians.push_back(p.ns.median);
  }
  s.median = median_of(medians);
  return s;
}

std::vector<uint64_t> footprint_grid(uint64_t from, uint64_t to, unsigned per_octave) {
  std::vector<uint64_t> g;
  const std::vector<unsigned> quarters =
      per_octave >= 4 ? std::vector<unsigned>{4, 5, 6, 7} : std::vector<unsigned>{4, 6};
  for (uint64_t base = std::max<uint64_t>(kSmallPage, from); base <= to; base *= 2)
    for (unsigned q : quarters) {
      const uint64_t x = base / 4 * q / kSmallPage * kSmallPage;
      if (x >= from && x <= to && (g.empty() || x > g.back())) g.push_back(x);
    }
  return g;
}

ChasePoint measure_point(void* start, uint64_t footprint, uint64_t elements, const StableRule& rule) {
  ChasePoint pt;
  pt.footprint = footprint;
  pt.elements = elements;
  // Warm-up: twice round the cycle, but no longer than ~50 ms (footprints beyond the caches
  // gain nothing from it).
  void* p = start;
  const double cold = timed_follow(p, kMinLoads);
  const auto budget = static_cast<uint64_t>(kWarmNs / std::max(cold, 0.1));
  p = follow(p, std::clamp(elements * 2, kMinWarm, std::max(kMinWarm, budget)));
  const double probe = timed_follow(p, kMinLoads);
  pt.loads = std::clamp(static_cast<uint64_t>(kRunNs / std::max(probe, 0.1)), kMinLoads, kMaxLoads);
  std::vector<double> ghz;
  pt.ns = repeat_until_stable(
      [&] {
        const double ns = timed_follow(p, pt.loads);
        const double g = add_chain_ghz(kClockIterations);
        ghz.push_back(g);
        return ns;
      },
      rule);
  if (!ghz.empty() && ghz.front() > 0) pt.ghz = spread_of(ghz, pt.ns.stable);
  return pt;
}

ChaseCurve measure_curve(ChaseBuffer& buffer, ChaseKind kind, const std::vector<uint64_t>& grid,
                         const StableRule& rule, const Progress& progress) {
  ChaseCurve c;
  c.kind = kind;
  c.pages = buffer.kind();
  c.backing = buffer.backing();
  uint64_t seed = 1;
  for (uint64_t footprint : grid) {
    if (footprint > buffer.size()) throw std::logic_error("chase footprint beyond its buffer");
    const bool lines = kind == ChaseKind::kEveryLine;
    const uint64_t n = lines ? footprint / kLineBytes : footprint / kSmallPage;
    void* start = lines ? link_lines(buffer.data(), n, seed++) : link_pages(buffer.data(), n, seed++);
    c.points.push_back(measure_point(start, footprint, n, rule));
    if (progress)
      progress(ProgressKind::kPoint, fmt::format("{} {}: {:.2f} ns/load", format_size(footprint),
                                                 lines ? "lines" : "pages", c.points.back().ns.median));
  }
  return c;
}

}  // namespace hvsim
