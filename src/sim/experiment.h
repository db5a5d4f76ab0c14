// Runs one workload through a set of schemes: the stream is read once, the machine prepares each
// batch, every scheme consumes it (on worker threads), and --verify compares their answers.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/profile.h"
#include "machine/machine.h"
#include "report/run_report.h"
#include "schemes/scheme.h"
#include "sim/simulation.h"
#include "workload/event_source.h"

namespace hvsim {

struct ExperimentOptions {
  std::vector<std::string> schemes;  // registry names, in display order
  bool verify = false;
  unsigned threads = 0;  // 0 = one per core
  size_t batch_events = 1 << 16;
  uint64_t footprint_hint = 0;    // bytes; 0 = unknown (traces)
  uint64_t expected_events = 0;   // for the progress line; 0 = unknown
  uint64_t warmup_accesses = 0;   // accesses simulated before measuring starts
  bool warmup_auto = false;       // instead: until the first-touch phase is over (sim/warmup.h)
  uint64_t measure_accesses = 0;  // stop once this many are measured (0: the whole stream)
  uint64_t epoch_accesses = 0;    // record every figure every this many accesses (0: never)
  bool progress = false;          // print a progress line on stderr
  std::string label;              // what the progress line calls this run
};

// Checks every name against the registry; "all" expands to every registered scheme.
std::vector<std::string> resolve_schemes(const std::string& comma_list);

// Fills everything in the report but its workload name, footprint and seed.
RunReport run_experiment(EventSource& source, const Profile& profile, const ExperimentOptions& options);
// The same with scheme instances built from profiles of their own (options.schemes is not read):
// the report lists them in `units` order.
RunReport run_experiment(EventSource& source, const Profile& machine_profile,
                         const std::vector<SchemeUnit>& units, const ExperimentOptions& options);

}  // namespace hvsim
