// The derived figures every report shows for a scheme, computed once from its counters.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/scheme_stats.h"

namespace hvsim {

struct SchemeMetrics {
  std::string scheme;
  const SchemeStats* stats = nullptr;
  double l1_mpki = 0, l2_mpki = 0;  // TLB misses per 1000 accesses
  double refs_per_walk = 0;
  double walk_cycles_per_access = 0;
  double translation_overhead = 0;           // translation cycles / total cycles
  double total_us = 0;                       // total cycles at the profile's clock
  std::optional<double> overhead_vs_native;  // total / native total - 1
  std::optional<double> speedup_vs_nested;   // nested total / total
};

// Metrics for each scheme of one run at a clock of `frequency_ghz`; native and nested serve as
// baselines when present.
std::vector<SchemeMetrics> compute_metrics(
    const std::vector<std::pair<std::string, const SchemeStats*>>& runs, double frequency_ghz);

}  // namespace hvsim
