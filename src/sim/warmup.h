// `--warmup auto`: the warm-up lasts until the workload's first-touch phase is over, decided from
// the stream itself. Accesses are counted in windows; in each, the guest's demand faults (first
// touches of a page). The phase is over at the end of the first window in which they are rarer
// than `done_rate`, or once they have stopped falling: the latest half of the warm-up's windows
// touches new pages at `flat_ratio` or more of the rate of the quarter before it. A streaming or
// page-faulting workload touches new pages at a steady rate for as long as it runs, and that rate
// is its steady state; so does one whose footprint is far larger than the run can cover (the
// reason then says how many accesses still fault). `max_accesses` bounds the warm-up.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvsim {

struct AutoWarmupRule {
  uint64_t window = 1 << 16;           // accesses per window
  double done_rate = 0.001;            // first touches per access below which the phase is over
  double flat_ratio = 0.95;            // "stopped falling": latest half's rate >= ratio x the quarter before
  size_t flat_windows = 16;            // ... judged once this many windows have been seen
  uint64_t max_accesses = 64'000'000;  // the warm-up never runs longer
};

class AutoWarmup {
 public:
  explicit AutoWarmup(AutoWarmupRule rule = {}) : rule_(rule) {}
  // Counts a batch: `accesses` of them, `first_touches` of those demand faults. True once the
  // warm-up is over (at the end of this batch).
  bool observe(uint64_t accesses, uint64_t first_touches);
  // Accesses the warm-up may still take before its bound.
  uint64_t left() const { return rule_.max_accesses - seen_; }
  uint64_t accesses() const { return seen_; }
  // Why it ended: "first touches fell to 0.08% of accesses", or empty while it goes on.
  const std::string& reason() const { return reason_; }

 private:
  double mean(size_t from, size_t to) const;  // of rates_[from, to)

  AutoWarmupRule rule_;
  uint64_t seen_ = 0;
  uint64_t window_accesses_ = 0, window_touches_ = 0;
  std::vector<double> rates_;  // each window's first touches per access
  std::string reason_;
};

}  // namespace hvsim
