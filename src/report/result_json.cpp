#include "report/result_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/invocation.h"
#include "report/metric_list.h"
#include "report/writers.h"

namespace hvsim {
namespace {

using nlohmann::json;

constexpr std::string_view kFixedKey = "fixed_cycles";

json value_json(const MetricValue& v) {
  switch (v.kind) {
    case MetricValue::Kind::kCount:
      return v.count;
    case MetricValue::Kind::kReal:
      return v.real;
    case MetricValue::Kind::kNone:
      break;
  }
  return nullptr;
}

json row_json(const CostRow& row) {
  json j = json::object();
  for (size_t i = 0; i < kCostCount; ++i)
    if (row.n[i]) j[std::string(cost_key(static_cast<Cost>(i)))] = row.n[i];
  if (row.fixed()) j[std::string(kFixedKey)] = row.fixed();
  return j;
}

// Keys of `rows` named by `name(i)`, skipping empty rows.
template <class Rows, class Name>
json rows_json(const Rows& rows, Name name) {
  json j = json::object();
  for (size_t i = 0; i < rows.size(); ++i)
    if (!rows[i].empty()) j[std::string(name(i))] = row_json(rows[i]);
  return j;
}

json ledger_json(const SchemeLedger& l) {
  return {
      {"guest", row_json(l.guest)},
      {"hypervisor", row_json(l.hypervisor)},
      {"pt_alloc", row_json(l.pt_alloc)},
      {"events", rows_json(l.events, event_slot_name)},
      {"exits", rows_json(l.exits, [](size_t r) { return exit_reason_name(static_cast<ExitReason>(r)); })}};
}

json scheme_json(const SchemeMetrics& m, const SchemeOutcome& outcome, const Profile& profile) {
  const SchemeStats& s = *m.stats;
  json j;
  j["scheme"] = m.scheme;
  if (!outcome.layout.empty()) j["layout"] = outcome.layout;
  for (const SchemeMetricDef& d : scheme_metric_defs()) j[std::string(d.name)] = value_json(d.value(m));
  json reasons = json::object(), reason_cycles = json::object();
  for (size_t r = 0; r < kExitReasons; ++r) {
    if (!s.exits_by_reason[r]) continue;
    const std::string name(exit_reason_name(static_cast<ExitReason>(r)));
    reasons[name] = s.exits_by_reason[r];
    reason_cycles[name] = s.exit_cycles_by_reason[r];
  }
  j["vm_exits_by_reason"] = reasons;
  j["vm_exit_cycles_by_reason"] = reason_cycles;
  json events = json::object();
  for (size_t slot = 0; slot < kEventSlots; ++slot) {
    const EventCost& c = s.events[slot];
    if (!c.count) continue;
    double per_op = static_cast<double>(c.cycles) / c.count;
    events[std::string(event_slot_name(slot))] = {{"count", c.count},
                                                  {"cycles", c.cycles},
                                                  {"cycles_per_op", per_op},
                                                  {"us_per_op", profile.cycles_to_us(per_op)}};
  }
  j["events"] = events;
  j["details"] = s.details;
  j["cost_counts"] = ledger_json(s.ledger);
  json decides = json::array();
  for (Cost c : outcome.decision_costs) decides.push_back(fmt::format("costs.{}", cost_key(c)));
  j["decision_costs"] = decides;
  return j;
}

// Every figure of every scheme over each epoch (`--epoch N`).
json epochs_json(const RunReport& run, const Profile& profile) {
  json out = json::array();
  for (const EpochReport& e : run.epochs) {
    std::vector<std::pair<std::string, const SchemeStats*>> v;
    for (const auto& s : e.schemes) v.emplace_back(s.name, &s.stats);
    json results = json::array();
    for (const SchemeMetrics& m : compute_metrics(v, profile.section<CoreConfig>().frequency_ghz)) {
      json r = {{"scheme", m.scheme}};
      for (const SchemeMetricDef& d : scheme_metric_defs()) r[std::string(d.name)] = value_json(d.value(m));
      json reasons = json::object();
      for (size_t k = 0; k < kExitReasons; ++k)
        if (m.stats->exits_by_reason[k])
          reasons[std::string(exit_reason_name(static_cast<ExitReason>(k)))] = m.stats->exits_by_reason[k];
      r["vm_exits_by_reason"] = reasons;
      r["details"] = m.stats->details;
      results.push_back(std::move(r));
    }
    out.push_back({{"first_access", e.first_access}, {"accesses", e.accesses}, {"results", results}});
  }
  return out;
}

json workload_json(const RunReport& run, const Profile& profile) {
  json j = {{"name", run.workload},
            {"description", run.description},
            {"footprint_bytes", run.footprint},
            {"seed", run.seed},
            {"events", run.events},
            {"warmup_events", run.warmup_events},
            {"warmup",
             {{"mode", run.warmup_mode}, {"accesses", run.warmup_accesses}, {"reason", run.warmup_reason}}},
            {"accesses", run.accesses},
            {"verified", run.verified},
            {"verified_accesses", run.verified_accesses},
            {"guest_table_pages", run.guest_table_pages},
            {"host_table_pages", run.host_table_pages},
            {"seconds", run.seconds}};
  if (!run.epochs.empty()) j["epochs"] = epochs_json(run, profile);
  return j;
}

// Every key of every section as the run saw it, so a report can show the whole configuration.
// Values are the text the parser reads back ("32KiB"), so `hvsim reprice` can restore them.
json config_json(const Profile& profile) {
  Profile copy = profile;  // sections are reached through a mutable Config
  json j = json::object();
  for (const ConfigSection* s : ConfigRegistry::instance().sections())
    for (const auto& k : s->keys) j[k->key()] = k->text(s->locate(copy));
  return j;
}

json costs_json(const CostTable& costs) {
  json j = json::object();
  for (size_t i = 0; i < kCostCount; ++i) j[std::string(cost_key(static_cast<Cost>(i)))] = costs.cycles[i];
  return j;
}

}  // namespace

std::string render_json(const std::vector<RunReport>& runs, const Profile& profile) {
  json j;
  j["hvsim_version"] = HVSIM_VERSION;
  j["profile"] = {{"name", profile.name},
                  {"origin", profile.origin},
                  {"frequency_ghz", profile.section<CoreConfig>().frequency_ghz},
                  // Sections of layers above report, read by key.
                  {"guest_levels", std::get<uint64_t>(profile.value("paging.guest_levels"))},
                  {"host_levels", std::get<uint64_t>(profile.value("paging.host_levels"))},
                  {"host_page_size", value_text(profile.value("host.page_size"))},
                  {"costs", costs_json(profile.costs)}};
  // Added after the first format: readers must not require them.
  if (!invocation().empty()) j["command"] = invocation();
  j["config"] = config_json(profile);
  json workloads = json::array(), results = json::array();
  for (const auto& run : runs) {
    workloads.push_back(workload_json(run, profile));
    const auto metrics = metrics_of(run, profile);
    for (size_t i = 0; i < metrics.size(); ++i) {
      auto r = scheme_json(metrics[i], run.schemes[i], profile);
      r["workload"] = run.workload;
      results.push_back(std::move(r));
    }
  }
  if (runs.size() == 1) j["workload"] = workloads[0];
  j["workloads"] = workloads;
  j["results"] = results;
  return j.dump(2) + "\n";
}

}  // namespace hvsim
