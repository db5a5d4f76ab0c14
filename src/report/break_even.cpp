#include "report/break_even.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"

namespace hvsim {
namespace {

// The total's slope in `key`: every primitive of that kind charged to the guest or hypervisor.
int64_t slope(const SchemeStats& s, Cost key) {
  return static_cast<int64_t>(s.ledger.guest.count(key) + s.ledger.hypervisor.count(key));
}

void check_linear(const SchemeOutcome& o, Cost key) {
  if (std::find(o.decision_costs.begin(), o.decision_costs.end(), key) != o.decision_costs.end())
    throw InputError(fmt::format(
        "--break-even: scheme '{}' decides with costs.{} (its choices change with it), so its total is not "
        "a straight line in that cost; compare runs with --set costs.{}=... instead",
        o.name, cost_key(key), cost_key(key)));
}

}  // namespace

BreakEven break_even(const SchemeOutcome& a, const SchemeOutcome& b, const CostTable& costs, Cost key) {
  check_linear(a, key);
  check_linear(b, key);
  // total_x(c) = total_x(c0) + slope_x * (c - c0); equal where c = c0 - diff / dslope.
  const double c0 = costs[key];
  const double diff =
      static_cast<double>(a.stats.total_cycles()) - static_cast<double>(b.stats.total_cycles());
  const int64_t dslope = slope(a.stats, key) - slope(b.stats, key);
  BreakEven be;
  if (dslope == 0) {
    be.kind = diff == 0 ? BreakEven::Kind::kEverywhere : BreakEven::Kind::kNone;
    be.cheaper = diff < 0 ? a.name : b.name;
    return be;
  }
  const double c = c0 - diff / static_cast<double>(dslope);
  if (c >= 0 && c <= kMaxCostCycles) {
    be.kind = BreakEven::Kind::kAt;
    be.value = c;
    be.cheaper = dslope > 0 ? a.name : b.name;  // the smaller slope is cheaper below c
    return be;
  }
  // Outside the valid range: whichever is cheaper at c0 is cheaper throughout.
  be.kind = BreakEven::Kind::kNone;
  be.cheaper = diff < 0 ? a.name : b.name;
  return be;
}

std::string describe_break_even(const BreakEven& be, const SchemeOutcome& a, const SchemeOutcome& b, Cost key,
                                const CostTable& costs, const std::string& workload) {
  const std::string what =
      fmt::format("costs.{} between {} and {} on {}", cost_key(key), a.name, b.name, workload);
  switch (be.kind) {
    case BreakEven::Kind::kAt:
      return fmt::format("break-even: {} = {:.2f} cycles (profile: {}); below it {} costs less", what,
                         be.value, costs[key], be.cheaper);
    case BreakEven::Kind::kEverywhere:
      return fmt::format("break-even: {}: equal at every value (the cost does not separate them)", what);
    case BreakEven::Kind::kNone:
      break;
  }
  return fmt::format("break-even: none for {} in 0..{} cycles; {} costs less throughout", what,
                     kMaxCostCycles, be.cheaper);
}

std::pair<const SchemeOutcome*, const SchemeOutcome*> find_pair(const RunReport& run, const std::string& a,
                                                                const std::string& b,
                                                                const std::string& option) {
  auto find = [&](const std::string& name) {
    for (const auto& s : run.schemes)
      if (s.name == name) return &s;
    throw InputError(fmt::format("{}: scheme '{}' is not in the results of {}", option, name, run.workload));
  };
  return {find(a), find(b)};
}

}  // namespace hvsim
