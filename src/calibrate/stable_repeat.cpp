#include "calibrate/stable_repeat.h"

#include <algorithm>

namespace hvsim {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

Spread spread_of(const std::vector<double>& runs, bool stable) {
  Spread s;
  if (runs.empty()) return s;
  const auto [lo, hi] = std::minmax_element(runs.begin(), runs.end());
  s.min = *lo;
  s.max = *hi;
  s.median = median_of(runs);
  s.runs = static_cast<uint32_t>(runs.size());
  s.stable = stable;
  return s;
}

bool medians_agree(const std::vector<double>& medians, const StableRule& rule) {
  if (rule.window == 0 || medians.size() < rule.window) return false;
  const auto first = medians.end() - rule.window;
  const auto [lo, hi] = std::minmax_element(first, medians.end());
  if (*lo <= 0) return *hi <= 0;
  return (*hi - *lo) / *lo <= rule.tolerance;
}

Spread repeat_until_stable(const std::function<double()>& run, const StableRule& rule) {
  std::vector<double> runs, medians;
  const uint32_t cap = std::max<uint32_t>(1, rule.max_runs);
  while (runs.size() < cap) {
    runs.push_back(run());
    medians.push_back(median_of(runs));
    if (runs.size() >= rule.min_runs && medians_agree(medians, rule)) return spread_of(runs, true);
  }
  return spread_of(runs, false);
}

}  // namespace hvsim
