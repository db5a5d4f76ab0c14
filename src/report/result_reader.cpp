// Reads back what render_json wrote (result_json.cpp), for `hvsim reprice`.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/page_size.h"
#include "report/metric_list.h"
#include "report/result_json.h"

namespace hvsim {
namespace {

using nlohmann::json;

// Every lookup names where it is, so a damaged file gets one line saying which key is wrong.
class Reader {
 public:
  explicit Reader(const std::string& origin) : origin_(origin) {}

  const json& need(const json& obj, const std::string& key, const std::string& where) const {
    if (!obj.is_object()) fail(where, "expected an object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(where, fmt::format("missing key '{}'", key));
    return *it;
  }
  template <class T>
  T get(const json& obj, const std::string& key, const std::string& where) const {
    const json& v = need(obj, key, where);
    try {
      return v.get<T>();
    } catch (const json::exception&) {
      fail(where + "." + key, fmt::format("unexpected value {}", v.dump()));
    }
  }
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw InputError(
        fmt::format("{}: {}: {}; expected an hvsim result (docs/output.md)", origin_, where, what));
  }

  CostRow row(const json& j, const std::string& where) const {
    CostRow r;
    if (!j.is_object()) fail(where, "expected an object");
    for (auto& [key, value] : j.items()) {
      size_t column = kFixedColumn;
      if (key != "fixed_cycles") {
        auto c = find_cost(key);
        if (!c) fail(where, fmt::format("unknown cost '{}'", key));
        column = static_cast<size_t>(*c);
      }
      r.n[column] = get<uint64_t>(j, key, where);
    }
    return r;
  }

  // Rows keyed by the names `name(i)` gives for i < rows.size().
  template <class Rows, class Name>
  void rows(const json& j, Rows& rows, Name name, const std::string& where) const {
    if (!j.is_object()) fail(where, "expected an object");
    for (auto& [key, value] : j.items())
      rows[index_of(key, rows.size(), name, where)] = row(value, where + "." + key);
  }

  template <class Name>
  size_t index_of(const std::string& key, size_t n, Name name, const std::string& where) const {
    for (size_t i = 0; i < n; ++i)
      if (name(i) == key) return i;
    fail(where, fmt::format("unknown name '{}'", key));
  }

 private:
  std::string origin_;
};

std::string_view reason_name(size_t r) { return exit_reason_name(static_cast<ExitReason>(r)); }

Profile read_profile(const Reader& rd, const json& j, const json* config) {
  Profile p;
  const std::string w = "profile";
  p.name = rd.get<std::string>(j, "name", w);
  p.origin = rd.get<std::string>(j, "origin", w);
  const double ghz = rd.get<double>(j, "frequency_ghz", w);
  if (!(ghz > 0)) rd.fail(w + ".frequency_ghz", "not a positive clock");
  p.section<CoreConfig>().frequency_ghz = ghz;
  // Paging and host sections belong to layers above report: set by key, as a profile sets them.
  auto set = [&](const std::string& field, const std::string& key, const std::string& text) {
    try {
      p.set(key, text, "");
    } catch (const InputError& e) {
      rd.fail(w + "." + field, e.what());
    }
  };
  set("guest_levels", "paging.guest_levels", std::to_string(rd.get<int>(j, "guest_levels", w)));
  set("host_levels", "paging.host_levels", std::to_string(rd.get<int>(j, "host_levels", w)));
  set("host_page_size", "host.page_size", rd.get<std::string>(j, "host_page_size", w));
  const json& costs = rd.need(j, "costs", w);
  if (config) {  // the whole configuration, in results written since it was added
    if (!config->is_object()) rd.fail("config", "expected an object");
    for (auto& [key, value] : config->items()) {
      const auto text = rd.get<std::string>(*config, key, "config");
      if (!text.empty()) set("config." + key, key, text);
    }
  }
  for (size_t i = 0; i < kCostCount; ++i)
    p.costs.cycles[i] = rd.get<uint32_t>(costs, std::string(cost_key(static_cast<Cost>(i))), w + ".costs");
  return p;
}

RunReport read_workload(const Reader& rd, const json& j, const std::string& w) {
  RunReport r;
  r.workload = rd.get<std::string>(j, "name", w);
  r.description = rd.get<std::string>(j, "description", w);
  r.footprint = rd.get<uint64_t>(j, "footprint_bytes", w);
  r.seed = rd.get<uint64_t>(j, "seed", w);
  r.events = rd.get<uint64_t>(j, "events", w);
  r.warmup_events = rd.get<uint64_t>(j, "warmup_events", w);
  if (j.contains("warmup")) {  // added later: optional
    const json& wu = rd.need(j, "warmup", w);
    r.warmup_mode = rd.get<std::string>(wu, "mode", w + ".warmup");
    r.warmup_accesses = rd.get<uint64_t>(wu, "accesses", w + ".warmup");
    r.warmup_reason = rd.get<std::string>(wu, "reason", w + ".warmup");
  }
  r.accesses = rd.get<uint64_t>(j, "accesses", w);
  r.verified = rd.get<bool>(j, "verified", w);
  r.verified_accesses = rd.get<uint64_t>(j, "verified_accesses", w);
  r.guest_table_pages = rd.get<uint64_t>(j, "guest_table_pages", w);
  r.host_table_pages = rd.get<uint64_t>(j, "host_table_pages", w);
  r.seconds = rd.get<double>(j, "seconds", w);
  return r;
}

SchemeOutcome read_scheme(const Reader& rd, const json& j, const std::string& w) {
  SchemeOutcome o;
  o.name = rd.get<std::string>(j, "scheme", w);
  if (j.contains("layout")) o.layout = rd.get<std::string>(j, "layout", w);  // added later: optional
  SchemeStats& s = o.stats;
  for (const SchemeMetricDef& d : scheme_metric_defs())
    if (d.counter) s.*d.counter = rd.get<uint64_t>(j, std::string(d.name), w);
  const json& reasons = rd.need(j, "vm_exits_by_reason", w);
  for (auto& [key, v] : reasons.items())
    s.exits_by_reason[rd.index_of(key, kExitReasons, reason_name, w + ".vm_exits_by_reason")] =
        rd.get<uint64_t>(reasons, key, w + ".vm_exits_by_reason");
  const json& events = rd.need(j, "events", w);
  for (auto& [key, v] : events.items())
    s.events[rd.index_of(key, kEventSlots, event_slot_name, w + ".events")].count =
        rd.get<uint64_t>(v, "count", w + ".events." + key);
  s.details = rd.get<std::map<std::string, double>>(j, "details", w);
  const json& l = rd.need(j, "cost_counts", w);
  const std::string lw = w + ".cost_counts";
  s.ledger.guest = rd.row(rd.need(l, "guest", lw), lw + ".guest");
  s.ledger.hypervisor = rd.row(rd.need(l, "hypervisor", lw), lw + ".hypervisor");
  s.ledger.pt_alloc = rd.row(rd.need(l, "pt_alloc", lw), lw + ".pt_alloc");
  rd.rows(rd.need(l, "events", lw), s.ledger.events, event_slot_name, lw + ".events");
  rd.rows(rd.need(l, "exits", lw), s.ledger.exits, reason_name, lw + ".exits");
  for (const auto& key : rd.get<std::vector<std::string>>(j, "decision_costs", w)) {
    auto c = find_cost(key);
    if (!c) rd.fail(w + ".decision_costs", fmt::format("unknown cost '{}'", key));
    o.decision_costs.push_back(*c);
  }
  return o;
}

}  // namespace

SavedResults read_results_json(const std::string& text, const std::string& origin) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON (byte {}); expected an hvsim result", origin, e.byte));
  }
  Reader rd(origin);
  SavedResults out;
  const auto config = j.find("config");
  out.profile = read_profile(rd, rd.need(j, "profile", "top level"), config == j.end() ? nullptr : &*config);
  const json& workloads = rd.need(j, "workloads", "top level");
  if (!workloads.is_array()) rd.fail("workloads", "expected an array");
  for (size_t i = 0; i < workloads.size(); ++i)
    out.runs.push_back(read_workload(rd, workloads[i], fmt::format("workloads[{}]", i)));
  const json& results = rd.need(j, "results", "top level");
  if (!results.is_array()) rd.fail("results", "expected an array");
  for (size_t i = 0; i < results.size(); ++i) {
    const std::string w = fmt::format("results[{}]", i);
    const std::string workload = rd.get<std::string>(results[i], "workload", w);
    auto run =
        std::find_if(out.runs.begin(), out.runs.end(), [&](auto& r) { return r.workload == workload; });
    if (run == out.runs.end()) rd.fail(w + ".workload", fmt::format("no workload named '{}'", workload));
    run->schemes.push_back(read_scheme(rd, results[i], w));
  }
  return out;
}

}  // namespace hvsim
