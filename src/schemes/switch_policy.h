// When dynamic SPT/TDP switching changes mode (the SPT/TDP seed): the VM runs in shadow or nested
// mode; every `window` accesses the policy compares what the current mode paid in that window
// with an estimate of what the other mode would have paid for the same events, and asks for a
// switch when the other is cheaper by more than `margin` of the current cost and by more than the
// switch itself. The switching scheme counts what happens and carries the switch out; this part
// only keeps the window's figures and decides, so the decision can be read (and tested) alone.
//
// Keys ([switching] in a profile, or --set switching.KEY=VALUE):
//   window       accesses per decision window (default 100000)
//   margin       fraction of the current cost the other mode must save (default 0.2)
//   hold         windows to stay in a mode after a switch before reconsidering (default 1)
//   page_cycles  hypervisor cycles per table page built or dropped by a switch (default 2048)
//   initial      "nested" (default) or "shadow"
#pragma once
#include <cstdint>
#include <vector>

#include "common/costs.h"
#include "common/profile.h"
#include "machine/effects.h"

namespace hvsim {

enum class PagingMode : uint8_t { kShadow, kNested };

struct SwitchingConfig {
  uint64_t window = 100'000;
  double margin = 0.2;
  uint64_t hold = 1;
  uint64_t page_cycles = 2048;
  PagingMode initial = PagingMode::kNested;
};

// What a mode has cost so far, as the scheme's figures show it (cumulative; the policy takes
// differences per window).
struct ModeCosts {
  uint64_t walk_cycles = 0;
  uint64_t shadow_exit_cycles = 0;  // shadow paging's own exits and freed table pages
};

class SwitchPolicy {
 public:
  explicit SwitchPolicy(const Profile& profile);

  PagingMode mode() const { return mode_; }
  uint64_t page_cycles() const { return config_.page_cycles; }
  // The costs the decisions read: a changed one changes when the VM switches.
  static std::vector<Cost> decision_costs();

  void walk() { ++win_.walks; }
  void cr3_write() { ++win_.cr3_writes; }
  // What shadow paging would have paid, in nested mode, for a guest fault or an OS event.
  void estimate_fault(const Effect& fx);
  void estimate_os_event(const Effect& fx);

  // True when the window that opened at the last decision has run its length at `clock`.
  bool window_over(uint64_t clock) const { return clock - window_start_ >= config_.window; }
  // Closes the window at `clock`; `switch_pages` is what a switch would build or drop now.
  // True when the VM should change mode (then call switched()).
  bool decide(uint64_t clock, ModeCosts now, uint64_t switch_pages);
  void switched(uint64_t clock);

  // Accesses run in `mode` up to `clock`.
  uint64_t accesses_in(PagingMode mode, uint64_t clock) const {
    return in_mode_[static_cast<size_t>(mode)] + (mode == mode_ ? clock - mode_since_ : 0);
  }
  uint64_t windows() const { return windows_; }
  uint64_t switches_to(PagingMode mode) const { return switches_[static_cast<size_t>(mode)]; }

 private:
  struct Window {
    uint64_t walks = 0;
    ModeCosts opened;  // the figures when the window opened
    uint64_t shadow_exit_estimate = 0;
    uint64_t cr3_writes = 0;
  };
  // An exit with handler `handler`, priced for the estimates.
  uint64_t exit_price(Cost handler) const { return uint64_t{costs_[Cost::kVmExit]} + costs_[handler]; }
  // Nested over shadow cost per walk: measured when both modes have been, else the prior.
  double ratio() const;

  SwitchingConfig config_;
  CostTable costs_;
  PagingMode mode_;
  double prior_ratio_ = 1, shadow_per_walk_ = 0, nested_per_walk_ = 0;
  uint64_t held_ = 0, window_start_ = 0, mode_since_ = 0, windows_ = 0;
  uint64_t in_mode_[2] = {}, switches_[2] = {};
  Window win_;
};

}  // namespace hvsim
