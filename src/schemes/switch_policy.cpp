#include "schemes/switch_policy.h"

#include <string>
#include <utility>

#include "common/config_registry.h"
#include "paging/paging_config.h"

namespace hvsim {

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
           std::vector<std::pair<std::string, PagingMode>>{{"nested", PagingMode::kNested},
                                                           {"shadow", PagingMode::kShadow}})
      .doc("the mode the VM starts in");
}

SwitchPolicy::SwitchPolicy(const Profile& profile)
    : config_(profile.section<SwitchingConfig>()), costs_(profile.costs), mode_(config_.initial) {
  // Before both modes have been measured, a nested walk is assumed to cost what it fetches
  // with nothing cached relative to a shadow walk: ((g+1)(h+1)-1)/g.
  const PagingConfig& levels = profile.section<PagingConfig>();
  prior_ratio_ =
      static_cast<double>((levels.guest_levels + 1) * (levels.host_levels + 1) - 1) / levels.guest_levels;
}

std::vector<Cost> SwitchPolicy::decision_costs() {
  return {Cost::kVmExit, Cost::kInterruptInjection, Cost::kShadowPteWrite, Cost::kShadowFill, Cost::kCr3Write,
          Cost::kInvlpg, Cost::kPtPageFree};
}

// Shadow paging would have paid for a fault: the intercepted #PF, the write to the existing
// (shadowed) table page that starts the new path, and a hidden fault when the leaf went into a
// fresh, not yet shadowed table page.
void SwitchPolicy::estimate_fault(const Effect& fx) {
  win_.shadow_exit_estimate += exit_price(Cost::kInterruptInjection);
  if (fx->fault.kind != FaultKind::kProtection)
    win_.shadow_exit_estimate += (fx->writes.count ? exit_price(Cost::kShadowPteWrite) : 0) +
                                 (fx->fault.path_tables ? exit_price(Cost::kShadowFill) : 0);
}

// ... and for an OS event: its table writes trap, its TLB maintenance and CR3 reload exit.
void SwitchPolicy::estimate_os_event(const Effect& fx) {
  win_.shadow_exit_estimate += fx->writes.count * exit_price(Cost::kShadowPteWrite) +
                               fx->invalidations.count * exit_price(Cost::kInvlpg) +
                               (fx->cr3_write() ? exit_price(Cost::kCr3Write) : 0);
}

double SwitchPolicy::ratio() const {
  if (shadow_per_walk_ > 0 && nested_per_walk_ > 0) return nested_per_walk_ / shadow_per_walk_;
  return prior_ratio_;
}

bool SwitchPolicy::decide(uint64_t clock, ModeCosts now, uint64_t switch_pages) {
  ++windows_;
  const Window w = win_;
  const uint64_t walk_cycles = now.walk_cycles - w.opened.walk_cycles;
  const uint64_t exit_cycles = now.shadow_exit_cycles - w.opened.shadow_exit_cycles;
  win_ = {};
  win_.opened = now;
  window_start_ = clock;
  if (held_ > 0) {
    --held_;
    return false;
  }
  constexpr uint64_t kMinWalks = 64;  // fewer walks say little about a walk's cost
  const double walks = static_cast<double>(w.walks);
  const double per_walk = w.walks ? static_cast<double>(walk_cycles) / walks : 0.0;
  const double current = static_cast<double>(walk_cycles + exit_cycles);
  double other;
  if (mode_ == PagingMode::kShadow) {
    if (w.walks >= kMinWalks) shadow_per_walk_ = per_walk;
    other = walks * per_walk * ratio();
  } else {
    if (w.walks >= kMinWalks) nested_per_walk_ = per_walk;
    other = walks * per_walk / ratio() + static_cast<double>(w.shadow_exit_estimate) +
            static_cast<double>(w.cr3_writes * exit_price(Cost::kCr3Write));
  }
  const double switch_cost = static_cast<double>(switch_pages * config_.page_cycles + costs_[Cost::kVmExit]);
  const double saving = current - other;
  return saving > config_.margin * current && saving > switch_cost;
}

void SwitchPolicy::switched(uint64_t clock) {
  in_mode_[static_cast<size_t>(mode_)] += clock - mode_since_;
  mode_since_ = clock;
  mode_ = mode_ == PagingMode::kShadow ? PagingMode::kNested : PagingMode::kShadow;
  ++switches_[static_cast<size_t>(mode_)];
  held_ = config_.hold;
}

}  // namespace hvsim
