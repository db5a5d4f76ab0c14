#include "report/metric_list.h"

#include <array>

namespace hvsim {
namespace {

using V = MetricValue;
using M = SchemeMetrics;

// A counter kept by the simulation, shown as is.
#define HVSIM_COUNTER(field, unit, doc, ...)                                                              \
  SchemeMetricDef {                                                                                       \
#field, unit, doc, [](const M& m) { return V::of(m.stats->field); }, &SchemeStats::field, __VA_ARGS__ \
  }
// A figure computed from the counters (or priced from the ledger).
#define HVSIM_DERIVED(name, unit, doc, expr, ...)                                 \
  SchemeMetricDef {                                                               \
    name, unit, doc, [](const M& m) { return V::of(expr); }, nullptr, __VA_ARGS__ \
  }

const std::array kScalars = {
    HVSIM_COUNTER(accesses, "accesses", "memory accesses simulated", 1, "accesses"),
    HVSIM_COUNTER(walks, "walks", "hardware page walks that produced a translation", 4, "walks"),
    HVSIM_COUNTER(walk_mem_refs, "references",
                  "page-table entries those walks fetched from the memory hierarchy (not served by "
                  "page-walk caches or the nested TLB)"),
    HVSIM_COUNTER(walk_cycles, "cycles",
                  "cycles of all hardware walks (page-walk-cache hits + entry fetch latencies from the "
                  "cache model)"),
    HVSIM_COUNTER(tlb_l1_misses, "misses", "L1 TLB misses"),
    HVSIM_COUNTER(tlb_l2_misses, "misses", "second-level TLB misses"),
    HVSIM_COUNTER(vm_exits, "exits", "VM exits (by reason in vm_exits_by_reason)", 7, "VM exits"),
    HVSIM_COUNTER(hypercalls, "hypercalls", "explicit hypercalls (paravirtual schemes)"),
    HVSIM_DERIVED("hypervisor_cycles", "cycles", "exits (round trip) plus hypervisor handler work",
                  m.stats->hypervisor_cycles, 8, "hv cycles"),
    HVSIM_DERIVED("guest_cycles", "cycles", "guest kernel work (fault handlers, OS events)",
                  m.stats->guest_cycles),
    HVSIM_DERIVED("total_cycles", "cycles", "sum of walk, TLB-hit, data, base, guest and hypervisor cycles",
                  m.stats->total_cycles()),
    HVSIM_DERIVED("translation_overhead", "fraction",
                  "(tlb_hit_cycles + walk_cycles + hypervisor_cycles) / total_cycles", m.translation_overhead,
                  9, "xlat ovh", TableFormat::kPercent),
    HVSIM_DERIVED("overhead_vs_native", "fraction",
                  "total_cycles / native total_cycles - 1 (none without native in the run)",
                  m.overhead_vs_native, 10, "vs native", TableFormat::kSignedPercent),
    HVSIM_DERIVED("speedup_vs_nested", "ratio", "nested total_cycles / total_cycles (none without nested)",
                  m.speedup_vs_nested, 11, "vs nested", TableFormat::kTimes),
    HVSIM_DERIVED("tlb_l1_mpki", "per 1000 accesses", "L1 TLB misses per 1000 accesses", m.l1_mpki, 2,
                  "L1 MPKI", TableFormat::kFixed2),
    HVSIM_DERIVED("tlb_l2_mpki", "per 1000 accesses", "second-level TLB misses per 1000 accesses", m.l2_mpki,
                  3, "L2 MPKI", TableFormat::kFixed2),
    HVSIM_DERIVED("refs_per_walk", "references", "walk_mem_refs / walks", m.refs_per_walk, 5, "refs/walk",
                  TableFormat::kFixed2),
    HVSIM_DERIVED("walk_cycles_per_access", "cycles", "walk_cycles / accesses", m.walk_cycles_per_access, 6,
                  "walk cyc/acc", TableFormat::kFixed2),
    HVSIM_COUNTER(faulting_walks, "walks",
                  "hardware walks that ended on a non-present entry (e.g. a shadow miss)"),
    HVSIM_COUNTER(faulting_walk_refs, "references", "entries the faulting walks fetched"),
    HVSIM_COUNTER(guest_faults, "faults", "demand, copy-on-write and protection faults taken by the guest"),
    HVSIM_COUNTER(tlb_hit_cycles, "cycles",
                  "cycles of L1-TLB misses that hit the second-level TLB, and of tag checks on TLB hits "
                  "(tpt.tag_check = access)"),
    HVSIM_COUNTER(data_cycles, "cycles", "data accesses through the cache model (when cache.data_accesses)"),
    HVSIM_COUNTER(base_cycles, "cycles", "non-memory work (core.base_cycles_per_access per access)"),
    HVSIM_DERIVED("pt_alloc_cycles", "cycles",
                  "page-table page allocation and free, guest and hypervisor (part of their cycles)",
                  m.stats->pt_alloc_cycles),
    HVSIM_COUNTER(iotlb_flushes, "flushes", "IOTLB invalidations"),
    HVSIM_DERIVED("total_us", "microseconds", "total_cycles at the profile's clock", m.total_us),
};

#undef HVSIM_COUNTER
#undef HVSIM_DERIVED

const std::array<StructuredMetricDef, 6> kStructured = {{
    {"vm_exits_by_reason", "exits",
     "exits by reason: ept_violation, guest_page_fault, pte_write, hidden_fault, cr3_write, hypercall, "
     "invlpg, other"},
    {"vm_exit_cycles_by_reason", "cycles", "cycles of those exits (round trip plus handler), by reason"},
    {"events", "events, cycles",
     "per OS event kind and fault kind: count, cycles, cycles_per_op, us_per_op (guest plus hypervisor "
     "work charged while handling it)"},
    {"details", "(per figure)", "the scheme's own figures (docs/schemes.md)"},
    {"cost_counts", "counts",
     "how many of each costs.* primitive the scheme was charged, by account (guest, hypervisor, pt_alloc) "
     "and per event and exit reason; fixed_cycles is work no costs.* key prices. Used by `hvsim reprice`"},
    {"decision_costs", "costs.* keys",
     "costs the scheme's own decisions read: re-pricing a result with one of them changed is refused"},
}};

}  // namespace

std::span<const SchemeMetricDef> scheme_metric_defs() { return kScalars; }
std::span<const StructuredMetricDef> structured_metric_defs() { return kStructured; }

}  // namespace hvsim
