#include "calibrate/latency_fit.h"

#include <fmt/format.h>

#include <cmath>

#include "common/units.h"

namespace hvsim {
namespace {

// A cache level whose latency is this close to DRAM's is no level of its own.
constexpr double kDistinctFromDram = 0.8;
// A walk's plateau lies above the second-level TLB's by at least this many times the height of
// the first step (a walk fetches entries; a second-level hit fetches none).
constexpr double kWalkStepFactor = 2.0;

LevelFit from_plateau(const Plateau& p) { return {true, p.level, p.x_first, p.x_last, 0, ""}; }

// The plateau that tells the level of `size` above one of `below` bytes: the one holding the
// geometric mean of the two (half the size for the first level), else the longest one that
// overlaps (below, size]; nullptr if none.
const Plateau* plateau_for(const std::vector<Plateau>& ps, uint64_t below, uint64_t size) {
  const double probe = below ? std::sqrt(static_cast<double>(below) * static_cast<double>(size)) : size / 2.0;
  for (const auto& p : ps)
    if (static_cast<double>(p.x_first) <= probe && probe <= static_cast<double>(p.x_last)) return &p;
  const Plateau* best = nullptr;
  for (const auto& p : ps)
    if (p.x_last > below && p.x_first <= size && (!best || p.points() > best->points())) best = &p;
  return best;
}

// The longest plateau after `prev` (or beyond `below` without one) that ends before DRAM's and
// is distinct from it; nullptr if none.
const Plateau* before_dram(const std::vector<Plateau>& ps, const Plateau* prev, const Plateau& dram,
                           uint64_t below) {
  const Plateau* best = nullptr;
  for (const auto& p : ps) {
    const bool after = prev ? p.first > prev->last : p.x_last > below;
    if (!after || p.last >= dram.first || p.level >= kDistinctFromDram * dram.level) continue;
    if (!best || p.points() > best->points()) best = &p;
  }
  return best;
}

// Plateaus in order where the kernel lists no sizes: L1, L2, then DRAM last, the LLC third of four.
CacheFit fit_in_order(const std::vector<Plateau>& ps) {
  CacheFit f;
  if (ps.size() >= 1) f.l1 = from_plateau(ps[0]);
  if (ps.size() >= 2) f.l2 = from_plateau(ps[1]);
  if (ps.size() >= 3) f.dram = from_plateau(ps.back());
  if (ps.size() >= 4) f.llc = from_plateau(ps[2]);
  const char* note = "no cache sizes listed: plateaus taken in order";
  for (LevelFit* l : {&f.l1, &f.l2, &f.llc, &f.dram}) l->note = l->found ? note : "no plateau for it";
  return f;
}

}  // namespace

PlateauRule cache_plateau_rule() { return {0.12, 1.0, 2}; }
PlateauRule tlb_plateau_rule() { return {0.30, 2.0, 2}; }

CacheFit fit_cache_levels(const std::vector<CurvePoint>& curve, const std::vector<uint64_t>& sizes) {
  const auto smooth = smooth_median3(curve);
  const auto ps = find_plateaus(smooth, cache_plateau_rule());
  if (sizes.empty()) return fit_in_order(ps);
  CacheFit f;
  const uint64_t largest = curve.empty() ? 0 : curve.back().x;
  const Plateau* dram = !ps.empty() && ps.back().x_last > sizes.back() ? &ps.back() : nullptr;
  if (dram)
    f.dram = from_plateau(*dram);
  else
    f.dram.note = fmt::format("no plateau beyond {} (the largest footprint was {})",
                              format_size(sizes.back()), format_size(largest));
  LevelFit* levels[] = {&f.l1, &f.l2, &f.llc};
  const Plateau* prev = nullptr;
  uint64_t below = 0;
  for (size_t k = 0; k < 3 && k < sizes.size(); ++k) {
    LevelFit& l = *levels[k];
    const Plateau* p = plateau_for(ps, below, sizes[k]);
    if (p && dram && (p == dram || p->level >= kDistinctFromDram * dram->level))
      p = before_dram(ps, prev, *dram, below);
    if (p && p != prev) {
      l = from_plateau(*p);
      if (k == 2 && dram && p != dram) l.reach = step_position(smooth, *p, *dram);
    } else if (largest <= below) {
      l.note = fmt::format("not reached: the largest footprint was {}", format_size(largest));
    } else if (dram && plateau_for(ps, below, sizes[k]) == dram) {
      f.llc_invisible = f.llc_invisible || k == 2;
      l.note = fmt::format("DRAM's latency from {} on, inside the listed {}: no level of its own",
                           format_size(dram->x_first), format_size(sizes[k]));
    } else {
      l.note =
          fmt::format("no plateau of its own between {} and {}", format_size(below), format_size(sizes[k]));
    }
    prev = p ? p : prev;
    below = sizes[k];
  }
  return f;
}

TlbFit fit_tlb(const std::vector<CurvePoint>& difference) {
  TlbFit t;
  if (difference.empty()) return t;
  const auto smooth = smooth_median3(difference);
  const auto ps = find_plateaus(smooth, tlb_plateau_rule());
  t.max_pages = difference.back().x;
  if (ps.empty() || ps[0].first != 0) {
    t.note = "no flat start: the smallest footprints already differ";
    return t;
  }
  t.miss_cycles_at_max = smooth.back().y - ps[0].level;
  if (ps.size() < 2) {
    t.note = "no step: the first-level TLB held every page measured";
    return t;
  }
  t.l1 = {true, step_position(smooth, ps[0], ps[1]), ps[0].level, ps[1].level};
  t.l2_hit_cycles = ps[1].level - ps[0].level;
  // The walks' plateau: the first one above the second-level hits by at least twice their own
  // height. Smaller bumps between (another tenant's share of a TLB or cache) are no level.
  const Plateau* walk = nullptr;
  for (size_t i = 2; i < ps.size() && !walk; ++i)
    if (ps[i].level - ps[1].level >= kWalkStepFactor * t.l2_hit_cycles) walk = &ps[i];
  if (!walk) {
    t.note = "one step only: the second-level TLB held every page measured";
    return t;
  }
  t.l2 = {true, step_position(smooth, ps[1], *walk), ps[1].level, walk->level};
  t.walk_cycles = walk->level - ps[0].level;
  return t;
}

}  // namespace hvsim
