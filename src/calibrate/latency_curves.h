// Latency curves: the time per load of a pointer chase over growing footprints, each point
// repeated until stable. Two chases: every line of the footprint in one random cycle (the cache
// levels), and one line per 4 KiB page in one random cycle of the pages (the TLBs, run once on
// 4 KiB and once on 2 MiB pages).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "calibrate/chase_buffer.h"
#include "calibrate/plateaus.h"
#include "calibrate/stable_repeat.h"

namespace hvsim {

enum class ChaseKind : uint8_t { kEveryLine, kLinePerPage };

struct ChasePoint {
  uint64_t footprint = 0;  // bytes
  uint64_t elements = 0;   // lines in the cycle
  uint64_t loads = 0;      // per run
  Spread ns;               // per load, over runs
  Spread ghz;              // the clock beside each run (add_chain_ghz); empty where none
};

struct ChaseCurve {
  ChaseKind kind = ChaseKind::kEveryLine;
  PageKind pages = PageKind::kHuge;
  std::string backing;  // what the buffer got (ChaseBuffer::backing)
  std::vector<ChasePoint> points;

  // The medians in cycles at `ghz` (x: bytes, or pages of 4 KiB when `in_pages`).
  std::vector<CurvePoint> cycles(double ghz, bool in_pages = false) const;
  // The spread of the points with footprints in [from, to], ns: the smallest run, the median
  // of the points' medians, the largest run, and all their runs.
  Spread spread_between(uint64_t from, uint64_t to) const;
};

// Progress lines: a step of the calibration, or one measured point of a curve.
enum class ProgressKind : uint8_t { kStep, kPoint };
using Progress = std::function<void(ProgressKind, const std::string&)>;

// Footprints from `from` to `to` bytes: per octave, 2^k times 1, 1.25, 1.5, 1.75 (`per_octave`
// = 4) or times 1 and 1.5 (2), kept to whole 4 KiB pages.
std::vector<uint64_t> footprint_grid(uint64_t from, uint64_t to, unsigned per_octave);

// One point: warms the cycle from `start` up, then times runs of ~5 ms until stable, each
// followed by a 0.1 ms add chain for the clock of that moment. The curves are converted to
// cycles at the median of those clocks over every point (one point's clock is at the mercy of
// what else runs on its core, and a load's latency in ns does not follow it).
ChasePoint measure_point(void* start, uint64_t footprint, uint64_t elements, const StableRule& rule);

// The curve of `kind` over `grid` on `buffer` (which must hold the largest footprint).
ChaseCurve measure_curve(ChaseBuffer& buffer, ChaseKind kind, const std::vector<uint64_t>& grid,
                         const StableRule& rule, const Progress& progress);

}  // namespace hvsim
