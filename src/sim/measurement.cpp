#include "sim/measurement.h"

#include <fmt/format.h>

#include <stdexcept>

#include "report/metric_list.h"
#include "schemes/scheme_details.h"

namespace hvsim {
namespace {

const DetailDef& declared(const std::string& name) {
  const DetailDef* d = DetailRegistry::instance().find(name);
  if (!d)
    throw std::logic_error(fmt::format("scheme figure '{}' is not declared (HVSIM_SCHEME_DETAILS)", name));
  return *d;
}

// Applies `op` (+1 or -1) of `b`'s counters to `a`'s.
void combine_counters(SchemeStats& a, const SchemeStats& b, int op) {
  auto f = [op](uint64_t& x, uint64_t y) { x = op > 0 ? x + y : x - y; };
  for (const SchemeMetricDef& d : scheme_metric_defs())
    if (d.counter) f(a.*d.counter, b.*d.counter);
  for (size_t r = 0; r < kExitReasons; ++r) f(a.exits_by_reason[r], b.exits_by_reason[r]);
  for (size_t s = 0; s < kEventSlots; ++s) f(a.events[s].count, b.events[s].count);
  auto rows = [&](CostRow& x, const CostRow& y) {
    if (op > 0)
      x += y;
    else
      x -= y;
  };
  rows(a.ledger.guest, b.ledger.guest);
  rows(a.ledger.hypervisor, b.ledger.hypervisor);
  rows(a.ledger.pt_alloc, b.ledger.pt_alloc);
  for (size_t s = 0; s < kEventSlots; ++s) rows(a.ledger.events[s], b.ledger.events[s]);
  for (size_t r = 0; r < kExitReasons; ++r) rows(a.ledger.exits[r], b.ledger.exits[r]);
}

// Per-walk figures from their counts, over `s`'s walks.
void recompute_per_walk(SchemeStats& s) {
  for (auto& [name, value] : s.details) {
    const DetailDef& d = declared(name);
    if (d.kind != DetailKind::kPerWalk) continue;
    auto count = s.details.find(std::string(d.count));
    value = s.walks && count != s.details.end() ? count->second / static_cast<double>(s.walks) : 0.0;
  }
}

}  // namespace

SchemeStats stats_between(const SchemeStats& before, const SchemeStats& now) {
  SchemeStats out = now;
  combine_counters(out, before, -1);
  for (auto& [name, value] : out.details) {
    if (declared(name).kind != DetailKind::kCount) continue;
    auto b = before.details.find(name);
    if (b != before.details.end()) value -= b->second;
  }
  recompute_per_walk(out);
  return out;
}

void append_stats(SchemeStats& total, const SchemeStats& later) {
  combine_counters(total, later, +1);
  for (const auto& [name, value] : later.details) {
    double& t = total.details[name];
    t = declared(name).kind == DetailKind::kCount ? t + value : value;
  }
  recompute_per_walk(total);
}

}  // namespace hvsim
