#include "sim/warmup.h"

#include <fmt/format.h>

namespace hvsim {

double AutoWarmup::mean(size_t from, size_t to) const {
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += rates_[i];
  return sum / static_cast<double>(to - from);
}

bool AutoWarmup::observe(uint64_t accesses, uint64_t first_touches) {
  if (!reason_.empty()) return true;
  seen_ += accesses;
  window_accesses_ += accesses;
  window_touches_ += first_touches;
  if (seen_ >= rule_.max_accesses) {
    reason_ = fmt::format("the bound of {} accesses", rule_.max_accesses);
    return true;
  }
  if (window_accesses_ < rule_.window) return false;
  const double rate = static_cast<double>(window_touches_) / static_cast<double>(window_accesses_);
  window_accesses_ = window_touches_ = 0;
  rates_.push_back(rate);
  const double percent = 100 * rate;
  if (rate < rule_.done_rate) {
    reason_ = fmt::format("first touches fell to {:.3g}% of accesses", percent);
  } else if (rates_.size() >= rule_.flat_windows) {
    // The latest half of the windows against the quarter before it: a decay towards a fully
    // touched footprint (e^-t/N, a coupon collector's) falls by more than 5% over that stretch
    // unless the footprint has more pages than about 7 times the accesses seen.
    const size_t k = rates_.size();
    const double recent = mean(k / 2, k), before = mean(k / 4, k / 2);
    if (recent >= rule_.flat_ratio * before)
      reason_ = fmt::format("first touches steady at {:.3g}% of accesses", 100 * recent);
  }
  return !reason_.empty();
}

}  // namespace hvsim
