// Repeating a measurement until it is stable: runs are taken one by one, and after each the
// median of all runs so far is recorded; the measurement stops once the last `window` of those
// medians agree within `tolerance` (relative), after at least `min_runs` and at most `max_runs`.
// What is reported is the spread of the runs: min, median, max.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace hvsim {

struct Spread {
  double min = 0, median = 0, max = 0;
  uint32_t runs = 0;
  bool stable = false;  // the medians agreed before max_runs

  // max/min - 1: how far apart the runs were.
  double relative_range() const { return min > 0 ? max / min - 1 : 0; }
  Spread scaled(double f) const { return {min * f, median * f, max * f, runs, stable}; }
};

struct StableRule {
  uint32_t window = 3;      // medians that must agree
  double tolerance = 0.02;  // their (max - min) / min
  uint32_t min_runs = 5;
  uint32_t max_runs = 25;
};

// Median of `v` (the upper one of the middle two for an even count); 0 when empty.
double median_of(std::vector<double> v);
// Min, median and max of `runs`; `stable` as given.
Spread spread_of(const std::vector<double>& runs, bool stable);
// True if the last `rule.window` entries of `medians` agree within `rule.tolerance`.
bool medians_agree(const std::vector<double>& medians, const StableRule& rule);
// Calls `run` until the rule is met (or max_runs), returning the spread of the values it gave.
Spread repeat_until_stable(const std::function<double()>& run, const StableRule& rule = {});

}  // namespace hvsim
