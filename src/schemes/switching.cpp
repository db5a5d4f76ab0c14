// switching: dynamic switching between shadow paging (SPT) and two-dimensional paging (TDP), as
// proposed in the SPT/TDP seed. The VM runs in one mode at a time; SwitchPolicy
// (schemes/switch_policy.h, which declares the [switching] keys) decides when to change. A
// switch exits to the hypervisor and flushes every translation cache; to nested it drops the
// shadow tables, to shadow it builds them from the guest's tables (both costed per page).
#include "common/flat_map.h"
#include "hv/guest_leaves.h"
#include "hv/nested_walker.h"
#include "hv/shadow_tables.h"
#include "schemes/scheme_details.h"
#include "schemes/shadow_paging.h"
#include "schemes/switch_policy.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class SwitchingScheme final : public TlbScheme<SwitchingScheme> {
 public:
  explicit SwitchingScheme(SchemeContext& ctx)
      : TlbScheme(ctx),
        nested_(ctx.machine.hypervisor().ept(), ctx.profile, cache_),
        shadow_(ctx, stats, cache_),
        policy_(ctx.profile) {
    decision_costs = SwitchPolicy::decision_costs();
  }

  Translation<HostPhysAddr> walk(const Event& ev) {
    tick();
    policy_.walk();
    const GuestVirtAddr va(ev.addr);
    return shadow_mode() ? shadow_.walk(space(), va, hv_walk_refs_)
                         : nested_.walk(*space().table, va, space().pcid);
  }

  void on_guest_fault(const Event& ev, const Effect& fx) {
    tick();
    if (!pids_.find(ev.pid)) pids_.insert(ev.pid, 1);
    if (shadow_mode()) return shadow_.guest_fault(ev, fx, space());
    policy_.estimate_fault(fx);
    charge_ept_violations(*fx);
  }

  // OS events: in shadow mode the hypervisor sees the guest's table writes and TLB maintenance
  // (as under `shadow`); in nested mode only memory population exits, and what shadow paging
  // would have paid goes into the estimate.
  void on_os_event(const Effect& fx) {
    if (fx->space.change == SpaceChange::kExited) pids_.erase(fx->pid);
    if (shadow_mode()) return shadow_.os_event(fx);
    policy_.estimate_os_event(fx);
    charge_ept_violations(*fx);
  }

  void on_switch(const AddressSpace&) {
    policy_.cr3_write();
    if (shadow_mode()) shadow_.cr3_write();
  }

  void flush_walk_caches(uint16_t pcid) {
    shadow_.pwc().flush_asid(pcid);
    nested_.flush_asid(pcid);
  }

  void finish() override {
    const uint64_t now = clock();
    auto put = [this](const char* key, uint64_t v) { stats.details[key] = static_cast<double>(v); };
    put("switches", policy_.switches_to(PagingMode::kNested) + policy_.switches_to(PagingMode::kShadow));
    put("switches_to_nested", policy_.switches_to(PagingMode::kNested));
    put("switches_to_shadow", policy_.switches_to(PagingMode::kShadow));
    put("events_in_shadow", policy_.accesses_in(PagingMode::kShadow, now));
    put("events_in_nested", policy_.accesses_in(PagingMode::kNested, now));
    put("windows", policy_.windows());
    put("shadow_pages_built", pages_built_);
    put("shadow_pages_dropped", pages_dropped_);
    put("mode_is_nested", shadow_mode() ? 0 : 1);
    put("hypervisor_walk_refs", hv_walk_refs_);
  }

 private:
  bool shadow_mode() const { return policy_.mode() == PagingMode::kShadow; }
  // Accesses since construction: the clock of windows and modes.
  uint64_t clock() const { return stats.accesses; }

  // What the mode has paid so far, priced with this profile's costs: its walks, and shadow
  // paging's own exits (not memory population: both modes pay it, and under shadow paging it is
  // no exit) and the shadow table pages it freed. Switching decides with costs, so repricing
  // cannot stand in for a run.
  ModeCosts paid() const {
    const SchemeLedger& l = stats.ledger;
    uint64_t cycles = l.hypervisor.count(Cost::kPtPageFree) * profile_.costs[Cost::kPtPageFree];
    for (ExitReason r : {ExitReason::kGuestPageFault, ExitReason::kPteWrite, ExitReason::kHiddenFault,
                         ExitReason::kInvlpg, ExitReason::kCr3Write})
      cycles += l.exits[static_cast<size_t>(r)].price(profile_.costs);
    return {stats.walk_cycles, cycles};
  }

  // Windows close on the first TLB miss or fault after `window` accesses: stretches with
  // neither cost nothing in either mode.
  void tick() {
    if (!policy_.window_over(clock())) return;
    const uint64_t pages = shadow_mode() ? shadow_.table_pages() : machine_.guest().table_memory().pages();
    if (policy_.decide(clock(), paid(), pages)) switch_mode();
  }

  void switch_mode() {
    const uint64_t pages = shadow_mode() ? drop_shadow() : build_shadow();
    policy_.switched(clock());
    stats.exit_cycles(ExitReason::kOther, pages * policy_.page_cycles());
    // The translations cached for the old mode's tables are stale for the new one.
    tlb_.flush_all();
    shadow_.pwc().flush_all();
    nested_.flush_all();
  }

  uint64_t drop_shadow() {
    const uint64_t pages = shadow_.tables().clear();
    pages_dropped_ += pages;
    return pages;
  }

  // Builds every process's shadow table from its guest table; returns the guest table pages
  // synced (what the switch is charged for).
  uint64_t build_shadow() {
    uint64_t pages = 0;
    pids_.for_each([&](uint64_t pid, uint8_t) {
      const AddressSpace* as = machine_.guest().find_space(static_cast<uint32_t>(pid));
      if (!as) return;
      pages += for_each_guest_leaf(*as->table, [&](GuestVirtAddr va) {
        hv_walk_refs_ += shadow_.tables().fill(*as, va, cache_).software_walk.refs;
      });
    });
    pages_built_ += pages;
    return pages;
  }

  NestedWalker nested_;
  ShadowPaging shadow_;
  SwitchPolicy policy_;
  uint64_t pages_built_ = 0, pages_dropped_ = 0, hv_walk_refs_ = 0;
  FlatU64Map<uint8_t> pids_{6};  // processes that have mapped memory
};

}  // namespace

HVSIM_REGISTER_SCHEME(switching, "switching", "dynamic switching between shadow and nested paging by window",
                      3, [](SchemeContext& ctx) { return std::make_unique<SwitchingScheme>(ctx); });

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(switching_details, {"switches", "switches", "mode changes, both ways"},
                     {"switches_to_nested", "switches", "changes from shadow to nested"},
                     {"switches_to_shadow", "switches", "changes from nested to shadow"},
                     {"events_in_shadow", "accesses", "accesses run in shadow mode"},
                     {"events_in_nested", "accesses", "accesses run in nested mode"},
                     {"windows", "windows", "decision windows closed"},
                     {"shadow_pages_built", "pages",
                      "guest table pages synced into shadow tables on switches to shadow"},
                     {"shadow_pages_dropped", "pages", "shadow table pages dropped on switches to nested"},
                     {"mode_is_nested", "flag", "1 when the run ended in nested mode", DetailKind::kLevel},
                     {"hypervisor_walk_refs", "references",
                      "entries the hypervisor's software walks fetched (hidden faults)"});

}  // namespace hvsim
