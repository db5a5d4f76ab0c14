// One calibration of this host: the core clock, the cache topology the kernel lists, the latency
// curves, what is fitted to them, the exit costs on /dev/kvm, and (on request) the ratio of an
// every-line chase on 4 KiB to one on 2 MiB pages, which no fit uses (a check of the model).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "calibrate/cache_topology.h"
#include "calibrate/core_clock.h"
#include "calibrate/kvm_costs.h"
#include "calibrate/latency_curves.h"
#include "calibrate/latency_fit.h"

namespace hvsim {

struct CalibrationOptions {
  uint64_t min_footprint = uint64_t{16} << 10;
  uint64_t max_footprint = uint64_t{1} << 30;
  KvmChoice kvm = KvmChoice::kAuto;
  bool check = false;  // also measure the 4 KiB / 2 MiB chase ratio at max_footprint
  StableRule rule;
};

// The every-line chase over one footprint on 4 KiB and on 2 MiB pages.
struct ChaseRatio {
  uint64_t footprint = 0;
  ChasePoint small, huge;
  std::string small_backing, huge_backing;
  double ratio() const { return huge.ns.median > 0 ? small.ns.median / huge.ns.median : 0; }
};

struct Calibration {
  std::string cpu_model, kernel, date;
  CalibrationOptions options;
  ClockEstimate clock;         // before the chases
  ClockEstimate clock_during;  // beside every run of every chase: the profile's clock
  ClockEstimate clock_after;   // after them
  CacheTopology topology;
  ChaseCurve lines;                    // every line, 2 MiB pages
  ChaseCurve pages_small, pages_huge;  // one line per 4 KiB page, on 4 KiB and on 2 MiB pages
  CacheFit cache;
  TlbFit tlb;
  KvmCosts kvm;
  std::optional<ChaseRatio> check;
  double seconds = 0;

  // The clock the profile counts cycles at: during the chases, else before them.
  double ghz() const { return clock_during.ghz > 0 ? clock_during.ghz : clock.ghz; }
  // The data-cache sizes by level, as fit_cache_levels takes them.
  std::vector<uint64_t> cache_sizes() const;
  // The line-per-page curves' difference in cycles, x in 4 KiB pages.
  std::vector<CurvePoint> tlb_difference() const;
};

// Fills the fits from the curves, the clock and the topology already in `c`.
void fit_calibration(Calibration& c);
// Measures everything; `progress` gets a line per step. Throws std::runtime_error when memory
// for the chases cannot be had.
Calibration run_calibration(const CalibrationOptions& options, const Progress& progress);

}  // namespace hvsim
