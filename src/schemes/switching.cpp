// switching: dynamic switching between shadow paging (SPT) and two-dimensional paging (TDP), as
// proposed in the SPT/TDP seed. The VM runs in one mode at a time. Every `window` accesses the
// scheme compares what the current mode paid in that window (shadow: its walks plus the exits
// for guest faults, page-table writes, hidden faults and CR3 writes; nested: its walks) with an
// estimate of what the other mode would have paid for the same events, and switches when the
// other is cheaper by more than `margin` of the current cost and by more than the switch itself.
// A switch exits to the hypervisor and flushes every translation cache; to nested it drops the
// shadow tables, to shadow it builds them from the guest's tables (both costed per page).
//
// Keys ([switching] in a profile, or --set switching.KEY=VALUE):
//   window       accesses per decision window (default 100000)
//   margin       fraction of the current cost the other mode must save (default 0.2)
//   hold         windows to stay in a mode after a switch before reconsidering (default 1)
//   page_cycles  hypervisor cycles per table page built or dropped by a switch (default 2048)
//   initial      "nested" (default) or "shadow"
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "common/flat_map.h"
#include "hv/guest_leaves.h"
#include "hv/nested_walker.h"
#include "hv/shadow_tables.h"
#include "schemes/scheme_details.h"
#include "schemes/shadow_paging.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

enum class Mode : uint8_t { kShadow, kNested };

struct SwitchingConfig {
  uint64_t window = 100'000;
  double margin = 0.2;
  uint64_t hold = 1;
  uint64_t page_cycles = 2048;
  Mode initial = Mode::kNested;
};

HVSIM_CONFIG_SECTION(SwitchingConfig, "switching", 0, "dynamic SPT/TDP switching") {
  s.integer("window", &SwitchingConfig::window, 1, uint64_t{1} << 48)
      .unit("accesses")
      .doc("accesses per decision window");
  s.number("margin", &SwitchingConfig::margin, 0.0, 0.95)
      .doc("fraction of the current cost the other mode must save");
  s.integer("hold", &SwitchingConfig::hold, 0, 1'000'000)
      .unit("windows")
      .doc("windows to stay in a mode after a switch before reconsidering");
  s.integer("page_cycles", &SwitchingConfig::page_cycles, 0, 1'000'000'000)
      .unit("cycles")
      .doc("hypervisor cycles per table page built or dropped by a switch");
  s.choice("initial", &SwitchingConfig::initial,
           std::vector<std::pair<std::string, Mode>>{{"nested", Mode::kNested}, {"shadow", Mode::kShadow}})
      .doc("the mode the VM starts in");
}

class SwitchingScheme final : public TlbScheme<SwitchingScheme> {
 public:
  explicit SwitchingScheme(SchemeContext& ctx)
      : TlbScheme(ctx),
        nested_(ctx.machine.hypervisor().ept(), ctx.profile, cache_),
        shadow_(ctx, stats, cache_) {
    const Profile& p = ctx.profile;
    const SwitchingConfig& c = p.section<SwitchingConfig>();
    window_ = c.window;
    margin_ = c.margin;
    hold_ = c.hold;
    page_cycles_ = c.page_cycles;
    mode_ = c.initial;
    // Before both modes have been measured, a nested walk is assumed to cost what it fetches
    // with nothing cached relative to a shadow walk: ((g+1)(h+1)-1)/g.
    const PagingConfig& levels = p.section<PagingConfig>();
    prior_ratio_ =
        static_cast<double>((levels.guest_levels + 1) * (levels.host_levels + 1) - 1) / levels.guest_levels;
    decision_costs = {Cost::kVmExit,     Cost::kInterruptInjection, Cost::kShadowPteWrite,
                      Cost::kShadowFill, Cost::kCr3Write,           Cost::kInvlpg,
                      Cost::kPtPageFree};
    pf_exit_ = exit_price(Cost::kInterruptInjection);
    pte_exit_ = exit_price(Cost::kShadowPteWrite);
    hidden_exit_ = exit_price(Cost::kShadowFill);
    cr3_exit_ = exit_price(Cost::kCr3Write);
  }

  Translation<HostPhysAddr> walk(const Event& ev) {
    tick();
    ++win_.walks;
    const GuestVirtAddr va(ev.addr);
    return mode_ == Mode::kShadow ? shadow_.walk(space(), va, counts_.hv_walk_refs)
                                  : nested_.walk(*space().table, va, space().pcid);
  }

  void on_guest_fault(const Event& ev, const Effect& fx) {
    tick();
    if (!pids_.find(ev.pid)) pids_.insert(ev.pid, 1);
    if (mode_ == Mode::kShadow) return shadow_.guest_fault(ev, fx, space());
    // What shadow paging would have paid for this fault: the intercepted #PF, the write to the
    // existing (shadowed) table page that starts the new path, and a hidden fault when the leaf
    // went into a fresh, not yet shadowed table page.
    win_.shadow_exit_estimate += pf_exit_;
    if (fx->fault.kind != FaultKind::kProtection)
      win_.shadow_exit_estimate +=
          (fx->writes.count ? pte_exit_ : 0) + (fx->fault.path_tables ? hidden_exit_ : 0);
    charge_ept_violations(*fx);
  }

  // OS events: in shadow mode the hypervisor sees the guest's table writes and TLB maintenance
  // (as under `shadow`); in nested mode only memory population exits, and what shadow paging
  // would have paid goes into the estimate.
  void on_os_event(const Effect& fx) {
    if (fx->space.change == SpaceChange::kExited) pids_.erase(fx->pid);
    if (mode_ == Mode::kShadow) return shadow_.os_event(fx);
    win_.shadow_exit_estimate += fx->writes.count * pte_exit_ +
                                 fx->invalidations.count * exit_price(Cost::kInvlpg) +
                                 (fx->cr3_write() ? cr3_exit_ : 0);
    charge_ept_violations(*fx);
  }

  void on_switch(const AddressSpace&) {
    ++win_.cr3_writes;
    if (mode_ == Mode::kShadow) shadow_.cr3_write();
  }

  void flush_walk_caches(uint16_t pcid) {
    shadow_.pwc().flush_asid(pcid);
    nested_.flush_asid(pcid);
  }

  void reset_stats() override {
    Scheme::reset_stats();
    mode_since_ = 0;  // the clock (stats.accesses) restarts from 0
    counts_ = {};
    window_start_ = 0;
    win_ = {};
  }

  void finish() override {
    uint64_t now = clock();
    uint64_t in_shadow = counts_.events_in_shadow + (mode_ == Mode::kShadow ? now - mode_since_ : 0);
    uint64_t in_nested = counts_.events_in_nested + (mode_ == Mode::kNested ? now - mode_since_ : 0);
    stats.details["switches"] = static_cast<double>(counts_.to_nested + counts_.to_shadow);
    stats.details["switches_to_nested"] = static_cast<double>(counts_.to_nested);
    stats.details["switches_to_shadow"] = static_cast<double>(counts_.to_shadow);
    stats.details["events_in_shadow"] = static_cast<double>(in_shadow);
    stats.details["events_in_nested"] = static_cast<double>(in_nested);
    stats.details["windows"] = static_cast<double>(counts_.windows);
    stats.details["shadow_pages_built"] = static_cast<double>(counts_.pages_built);
    stats.details["shadow_pages_dropped"] = static_cast<double>(counts_.pages_dropped);
    stats.details["mode_is_nested"] = mode_ == Mode::kNested ? 1.0 : 0.0;
    stats.details["hypervisor_walk_refs"] = static_cast<double>(counts_.hv_walk_refs);
  }

 private:
  // What the current window has seen; its walk cycles and shadow paging's own costs are what
  // the run's figures grew by since the window opened.
  struct Window {
    uint64_t walks = 0;
    uint64_t walk_cycles_before = 0;  // stats.walk_cycles when the window opened
    uint64_t shadow_paid_before = 0;  // shadow_paid() when the window opened
    uint64_t shadow_exit_estimate = 0;
    uint64_t cr3_writes = 0;
  };
  struct Counts {
    uint64_t to_nested = 0, to_shadow = 0, windows = 0;
    uint64_t events_in_shadow = 0, events_in_nested = 0;
    uint64_t pages_built = 0, pages_dropped = 0, hv_walk_refs = 0;
  };

  // Accesses since construction or the last reset: the clock of windows and modes.
  uint64_t clock() const { return stats.accesses; }

  // What shadow paging's own work has cost so far, priced with this profile's costs: its exits
  // (not memory population: both modes pay it, and under shadow paging it is no exit) and the
  // shadow table pages it freed. Switching decides with costs, so repricing cannot stand in for
  // a run.
  uint64_t shadow_paid() const {
    const SchemeLedger& l = stats.ledger;
    uint64_t cycles = l.hypervisor.count(Cost::kPtPageFree) * profile_.costs[Cost::kPtPageFree];
    for (ExitReason r : {ExitReason::kGuestPageFault, ExitReason::kPteWrite, ExitReason::kHiddenFault,
                         ExitReason::kInvlpg, ExitReason::kCr3Write})
      cycles += l.exits[static_cast<size_t>(r)].price(profile_.costs);
    return cycles;
  }
  // An exit with handler `handler`, priced for the estimates.
  uint64_t exit_price(Cost handler) const {
    return uint64_t{profile_.costs[Cost::kVmExit]} + profile_.costs[handler];
  }

  // Windows close on the first TLB miss or fault after `window` accesses: stretches with
  // neither cost nothing in either mode.
  void tick() {
    if (clock() - window_start_ >= window_) decide();
  }

  void decide() {
    ++counts_.windows;
    const Window w = win_;
    const uint64_t paid = shadow_paid();
    const uint64_t walk_cycles = stats.walk_cycles - w.walk_cycles_before;
    const uint64_t exit_cycles = paid - w.shadow_paid_before;
    win_ = {};
    win_.walk_cycles_before = stats.walk_cycles;
    win_.shadow_paid_before = paid;
    window_start_ = clock();
    if (held_ > 0) {
      --held_;
      return;
    }
    constexpr uint64_t kMinWalks = 64;  // fewer walks say little about a walk's cost
    double per_walk = w.walks ? static_cast<double>(walk_cycles) / static_cast<double>(w.walks) : 0.0;
    double current = static_cast<double>(walk_cycles + exit_cycles);
    double other, switch_cost;
    if (mode_ == Mode::kShadow) {
      if (w.walks >= kMinWalks) shadow_per_walk_ = per_walk;
      other = static_cast<double>(w.walks) * per_walk * ratio();
      switch_cost = static_cast<double>(shadow_.table_pages() * page_cycles_ + profile_.costs[Cost::kVmExit]);
    } else {
      if (w.walks >= kMinWalks) nested_per_walk_ = per_walk;
      other = static_cast<double>(w.walks) * per_walk / ratio() +
              static_cast<double>(w.shadow_exit_estimate) + static_cast<double>(w.cr3_writes * cr3_exit_);
      switch_cost = static_cast<double>(machine_.guest().table_memory().pages() * page_cycles_ +
                                        profile_.costs[Cost::kVmExit]);
    }
    double saving = current - other;
    if (saving > margin_ * current && saving > switch_cost) switch_mode();
  }

  // Nested over shadow cost per walk: measured when both modes have been, else the prior.
  double ratio() const {
    if (shadow_per_walk_ > 0 && nested_per_walk_ > 0) return nested_per_walk_ / shadow_per_walk_;
    return prior_ratio_;
  }

  void switch_mode() {
    uint64_t now = clock();
    (mode_ == Mode::kShadow ? counts_.events_in_shadow : counts_.events_in_nested) += now - mode_since_;
    mode_since_ = now;
    uint64_t pages;
    if (mode_ == Mode::kShadow) {
      pages = shadow_.tables().clear();
      counts_.pages_dropped += pages;
      ++counts_.to_nested;
      mode_ = Mode::kNested;
    } else {
      pages = build_shadow();
      counts_.pages_built += pages;
      ++counts_.to_shadow;
      mode_ = Mode::kShadow;
    }
    stats.exit_cycles(ExitReason::kOther, pages * page_cycles_);
    // The translations cached for the old mode's tables are stale for the new one.
    tlb_.flush_all();
    shadow_.pwc().flush_all();
    nested_.flush_all();
    held_ = hold_;
  }

  // Builds every process's shadow table from its guest table; returns the guest table pages
  // synced (what the switch is charged for).
  uint64_t build_shadow() {
    uint64_t pages = 0;
    pids_.for_each([&](uint64_t pid, uint8_t) {
      const AddressSpace* as = machine_.guest().find_space(static_cast<uint32_t>(pid));
      if (!as) return;
      pages += for_each_guest_leaf(*as->table, [&](GuestVirtAddr va) {
        auto fill = shadow_.tables().fill(*as, va, cache_);
        counts_.hv_walk_refs += fill.software_walk.refs;
      });
    });
    return pages;
  }

  NestedWalker nested_;
  ShadowPaging shadow_;

  Mode mode_ = Mode::kNested;
  uint64_t window_ = 0, hold_ = 0, held_ = 0, page_cycles_ = 0;
  double margin_ = 0, prior_ratio_ = 1;
  uint64_t pf_exit_ = 0, pte_exit_ = 0, hidden_exit_ = 0, cr3_exit_ = 0;
  double shadow_per_walk_ = 0, nested_per_walk_ = 0;
  uint64_t window_start_ = 0, mode_since_ = 0;
  Window win_;
  Counts counts_;
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
