// The outcome of running one workload through a set of schemes: what every report renders.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/scheme_stats.h"

namespace hvsim {

struct SchemeOutcome {
  std::string name;
  SchemeStats stats;
  // Costs the scheme's decisions read (switching's mode choice): a result re-priced with one of
  // them changed would not be what a run with that cost gives.
  std::vector<Cost> decision_costs;
  std::string layout;  // the machine layout it ran on (schemes/scheme_layout.h); empty: unknown
};

// What every scheme measured over one stretch of a run (`--epoch N`).
struct EpochReport {
  uint64_t first_access = 0;  // measured accesses before it
  uint64_t accesses = 0;
  std::vector<SchemeOutcome> schemes;
};

struct RunReport {
  std::string workload;     // short name (gups, or the trace file)
  std::string description;  // the source's own description
  uint64_t footprint = 0;   // bytes, 0 when unknown
  uint64_t seed = 0;
  uint64_t warmup_events = 0;  // simulated before measurement (not in the counters)
  uint64_t warmup_accesses = 0;
  std::string warmup_mode = "none";  // none, fixed (--warmup N) or auto
  std::string warmup_reason;         // auto: why it ended ("first touches fell to 0.1% of accesses")
  uint64_t events = 0;               // measured events
  uint64_t accesses = 0;
  bool verified = false;
  uint64_t verified_accesses = 0;
  double seconds = 0;
  uint64_t guest_table_pages = 0, host_table_pages = 0;
  std::vector<SchemeOutcome> schemes;
  std::vector<EpochReport> epochs;  // with --epoch
};

}  // namespace hvsim
