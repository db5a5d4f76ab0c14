// From latency curves to machine parameters. The cache levels are the plateaus of the
// every-line chase on huge pages, matched to the cache sizes the kernel lists (a level's
// plateau lies between the previous level's size and its own); DRAM is the last plateau. The
// TLBs are the steps of the difference between the line-per-page chase on 4 KiB and on 2 MiB
// pages: none while the first-level TLB holds every page, the second-level hit cost once it
// no longer does, the walk cost once the second level no longer does either (the first plateau
// above the second-level one by twice the first step's height, or more).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "calibrate/plateaus.h"

namespace hvsim {

struct LevelFit {
  bool found = false;
  double cycles = 0;          // the plateau's level
  uint64_t from = 0, to = 0;  // its first and last footprint, bytes
  uint64_t reach = 0;         // the LLC's: where the curve steps up to DRAM's plateau (0: unknown)
  std::string note;           // why it was not found, or what else was seen
};

// The LLC is the plateau at its listed size's geometric mean with L2's; where that one is DRAM's
// (this process gets less of a shared LLC than is listed), a plateau distinct from DRAM between
// L2's and DRAM's, whose reach then says how much of it there was.
struct CacheFit {
  LevelFit l1, l2, llc, dram;
  // The chase reached DRAM's latency well inside the listed last-level size: the LLC gave this
  // process no level of its own (llc.found stays false).
  bool llc_invisible = false;
};

// The rules the fits use (after smooth_median3).
PlateauRule cache_plateau_rule();
PlateauRule tlb_plateau_rule();

// `curve`: cycles per load against footprint in bytes. `sizes`: the data cache sizes by level
// (L1, L2, LLC; fewer or none where the kernel lists fewer), for matching plateaus to levels.
CacheFit fit_cache_levels(const std::vector<CurvePoint>& curve, const std::vector<uint64_t>& sizes);

struct StepFit {
  bool found = false;
  uint64_t entries = 0;         // pages covered before the step
  double below = 0, above = 0;  // the plateaus on either side, cycles
};

struct TlbFit {
  StepFit l1, l2;                 // first-level reach (4 KiB entries), second-level reach
  double l2_hit_cycles = 0;       // l1.above - l1.below, when l1.found
  double walk_cycles = 0;         // l2.above - l1.below: a walk with its entries in the caches
  uint64_t max_pages = 0;         // the largest footprint measured, in 4 KiB pages
  double miss_cycles_at_max = 0;  // 4 KiB minus 2 MiB there
  std::string note;
};

// `difference`: cycles per load on 4 KiB minus on 2 MiB pages, against footprint in pages.
TlbFit fit_tlb(const std::vector<CurvePoint>& difference);

}  // namespace hvsim
