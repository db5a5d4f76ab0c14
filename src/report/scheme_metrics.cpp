#include "report/scheme_metrics.h"

namespace hvsim {

std::vector<SchemeMetrics> compute_metrics(
    const std::vector<std::pair<std::string, const SchemeStats*>>& runs, double frequency_ghz) {
  const SchemeStats* native = nullptr;
  const SchemeStats* nested = nullptr;
  for (auto& [name, s] : runs) {
    if (name == "native") native = s;
    if (name == "nested") nested = s;
  }
  std::vector<SchemeMetrics> out;
  for (auto& [name, s] : runs) {
    SchemeMetrics m;
    m.scheme = name;
    m.stats = s;
    double acc = static_cast<double>(s->accesses);
    if (acc > 0) {
      m.l1_mpki = 1000.0 * s->tlb_l1_misses / acc;
      m.l2_mpki = 1000.0 * s->tlb_l2_misses / acc;
      m.walk_cycles_per_access = s->walk_cycles / acc;
    }
    if (s->walks) m.refs_per_walk = static_cast<double>(s->walk_mem_refs) / s->walks;
    double total = static_cast<double>(s->total_cycles());
    if (total > 0) m.translation_overhead = s->translation_cycles() / total;
    m.total_us = total / (frequency_ghz * 1000.0);
    if (native && native->total_cycles() && total > 0)
      m.overhead_vs_native = total / native->total_cycles() - 1.0;
    if (nested && total > 0) m.speedup_vs_nested = static_cast<double>(nested->total_cycles()) / total;
    out.push_back(m);
  }
  return out;
}

}  // namespace hvsim
