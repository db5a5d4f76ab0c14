// The value of one cost at which two schemes' totals are equal. Every total is linear in each
// cost (cycles = fixed work + count x price), so one run answers for every value.
#pragma once
#include <optional>
#include <string>

#include "common/costs.h"
#include "report/run_report.h"

namespace hvsim {

struct BreakEven {
  enum class Kind : uint8_t {
    kAt,          // equal at `value` (a real number of cycles)
    kNone,        // one scheme costs less at every valid value: `cheaper`
    kEverywhere,  // the cost does not separate them: equal at every value
  };
  Kind kind = Kind::kNone;
  double value = 0;
  std::string cheaper;  // kAt: the scheme that costs less below `value`; kNone: throughout
};

// Where `a` and `b` (priced with `costs`) cost the same as `key` varies over 0..kMaxCostCycles.
// Throws InputError when either scheme's decisions read `key`: its total is then not linear in it.
BreakEven break_even(const SchemeOutcome& a, const SchemeOutcome& b, const CostTable& costs, Cost key);

// One line for people: "break-even: costs.vm_exit_cycles = 1234.50 cycles between ... on W".
std::string describe_break_even(const BreakEven& be, const SchemeOutcome& a, const SchemeOutcome& b, Cost key,
                                const CostTable& costs, const std::string& workload);

// The outcomes named `a` and `b` in `run`; throws InputError naming `option` when one is absent.
std::pair<const SchemeOutcome*, const SchemeOutcome*> find_pair(const RunReport& run, const std::string& a,
                                                                const std::string& b,
                                                                const std::string& option);

}  // namespace hvsim
