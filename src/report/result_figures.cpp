#include "report/result_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "report/metric_list.h"

namespace hvsim {

using nlohmann::json;

namespace {

// Where a scheme's cycles go beyond native's: the parts of total_cycles (metric names), the rest
// being data accesses and other work.
struct Component {
  std::string_view metric, label;
};
constexpr Component kComponents[] = {{"walk_cycles", "page walks"},
                                     {"tlb_hit_cycles", "second-level TLB hits"},
                                     {"hypervisor_cycles", "hypervisor"},
                                     {"guest_cycles", "guest kernel"}};
constexpr std::string_view kOtherLabel = "data and other work";

double num(const json& r, std::string_view key) {
  auto it = r.find(std::string(key));
  return it != r.end() && it->is_number() ? it->get<double>() : 0.0;
}

const json* find_scheme(const ReportRun& run, const std::string& scheme) {
  for (const json* r : run.results)
    if ((*r)["scheme"] == scheme) return r;
  return nullptr;
}

std::vector<size_t> sources_of(const std::vector<ReportRun>& runs) {
  std::set<size_t> s;
  for (const auto& r : runs) s.insert(r.source);
  return {s.begin(), s.end()};
}

Figure overhead_figure(const std::vector<ReportRun>& runs) {
  Figure f{"overhead",
           "Overhead against native, by where the time goes",
           "Each bar is a scheme's total cycles minus native's on the same workload, as a share of native's "
           "total, stacked by component (a component below zero costs less than under native); the bars "
           "sum to overhead_vs_native.",
           {},
           {{"workload", "scheme", "component", "order", "share", "cycles", "overhead_vs_native"}, {}},
           {}};
  json order = json::array();
  for (const auto& c : kComponents) order.push_back(c.label);
  order.push_back(kOtherLabel);
  for (const ReportRun& run : runs) {
    const json* native = find_scheme(run, "native");
    if (!native || num(*native, "total_cycles") <= 0) continue;
    const double base = num(*native, "total_cycles");
    for (const json* r : run.results) {
      if ((*r)["scheme"] == "native") continue;
      double rest = num(*r, "total_cycles") - base;
      for (size_t i = 0; i < std::size(kComponents); ++i) {
        const double d = num(*r, kComponents[i].metric) - num(*native, kComponents[i].metric);
        rest -= d;
        f.data.add(
            {run.label, (*r)["scheme"], kComponents[i].label, i, d / base, d, (*r)["overhead_vs_native"]});
      }
      f.data.add({run.label, (*r)["scheme"], kOtherLabel, std::size(kComponents), rest / base, rest,
                  (*r)["overhead_vs_native"]});
    }
  }
  f.spec = {{"mark", "bar"},
            {"width", {{"step", 28}}},
            {"encoding",
             {{"x", {{"field", "scheme"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
              {"y",
               {{"field", "share"},
                {"type", "quantitative"},
                {"title", "overhead vs native (share of native cycles)"},
                {"axis", {{"format", "%"}}}}},
              {"color", {{"field", "component"}, {"type", "nominal"}, {"sort", order}}},
              {"order", {{"field", "order"}}},
              {"column", {{"field", "workload"}, {"type", "nominal"}, {"title", nullptr}}},
              {"tooltip", json::array({{{"field", "workload"}},
                                       {{"field", "scheme"}},
                                       {{"field", "component"}},
                                       {{"field", "share"}, {"format", ".2%"}},
                                       {{"field", "cycles"}, {"format", ",.0f"}},
                                       {{"field", "overhead_vs_native"}, {"format", ".2%"}}})}}}};
  return f;
}

Figure refs_figure(const std::vector<ReportRun>& runs) {
  Figure f{"refs-per-walk",
           "Memory references per page walk",
           "Page-table entries fetched from the memory hierarchy per walk (walk_mem_refs / walks): the "
           "cost of one TLB miss in references, after page-walk caches and the nested TLB.",
           grouped_bars("scheme", "refs_per_walk", "references per walk", "workload"),
           {{"workload", "scheme", "refs_per_walk", "walks", "walk_mem_refs"}, {}},
           {}};
  for (const ReportRun& run : runs)
    for (const json* r : run.results)
      f.data.add({run.label, (*r)["scheme"], (*r)["refs_per_walk"], (*r)["walks"], (*r)["walk_mem_refs"]});
  return f;
}

Figure latency_figure(const std::vector<ReportRun>& runs) {
  Figure f{"op-latency",
           "Latency of each OS operation and fault",
           "Guest and hypervisor cycles charged per operation (the per-operation latency table), per "
           "scheme; the tooltip gives the count and microseconds.",
           {},
           {{"workload", "scheme", "operation", "count", "cycles_per_op", "us_per_op"}, {}},
           {}};
  for (const ReportRun& run : runs)
    for (const json* r : run.results)
      for (const auto& [op, v] : (*r)["events"].items())
        f.data.add({run.label, (*r)["scheme"], op, v["count"], v["cycles_per_op"], v["us_per_op"]});
  // Each workload has its own operations and scale.
  f.spec = {
      {"mark", "bar"},
      {"resolve", {{"scale", {{"x", "independent"}, {"y", "independent"}}}}},
      {"encoding",
       {{"y", {{"field", "operation"}, {"type", "nominal"}, {"title", nullptr}}},
        {"x", {{"field", "cycles_per_op"}, {"type", "quantitative"}, {"title", "cycles per operation"}}},
        {"yOffset", {{"field", "scheme"}, {"type", "nominal"}, {"sort", nullptr}}},
        {"color", {{"field", "scheme"}, {"type", "nominal"}, {"sort", nullptr}}},
        {"column", {{"field", "workload"}, {"type", "nominal"}, {"title", nullptr}}},
        {"tooltip", json::array({{{"field", "workload"}},
                                 {{"field", "scheme"}},
                                 {{"field", "operation"}},
                                 {{"field", "count"}},
                                 {{"field", "cycles_per_op"}, {"format", ",.1f"}},
                                 {{"field", "us_per_op"}, {"format", ".3f"}}})}}}};
  return f;
}

Figure any_metric_figure(const std::vector<ReportRun>& runs) {
  std::vector<std::string> columns = {"workload", "scheme"};
  for (const auto& m : metric_names()) columns.push_back(m);
  Figure f{"any-metric",
           "Any metric, per scheme",
           "Pick a metric from the menu (every metric of docs/output.md); bars are per scheme, side by side "
           "per workload.",
           {},
           {columns, {}},
           {}};
  for (const ReportRun& run : runs)
    for (const json* r : run.results) {
      std::vector<json> row = {run.label, (*r)["scheme"]};
      for (const auto& m : metric_names()) row.push_back(r->value(m, json()));
      f.data.add(std::move(row));
    }
  f.spec = grouped_bars("scheme", "value", "chosen metric", "workload");
  f.spec["params"] = json::array({select_param("metric", metric_names(), "overhead_vs_native", "metric")});
  f.spec["transform"] = json::array({{{"calculate", "toNumber(datum[metric])"}, {"as", "value"}}});
  return f;
}

}  // namespace

std::vector<std::string> metric_names() {
  std::vector<std::string> out;
  for (const SchemeMetricDef& d : scheme_metric_defs()) out.emplace_back(d.name);
  return out;
}

std::vector<ReportRun> report_runs(const std::vector<ReportSource>& sources) {
  std::vector<ReportRun> runs;
  std::map<std::string, int> seen;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].kind != ReportSource::Kind::kResult) continue;
    for (const json& w : sources[i].doc["workloads"]) {
      ReportRun run{i, w["name"], &w, {}};
      for (const json& r : sources[i].doc["results"])
        if (r["workload"] == w["name"]) run.results.push_back(&r);
      ++seen[run.label];
      runs.push_back(std::move(run));
    }
  }
  for (auto& run : runs)
    if (seen[run.label] > 1)
      run.label = fmt::format("{}: {}", std::filesystem::path(sources[run.source].path).filename().string(),
                              run.label);
  return runs;
}

std::vector<Figure> result_figures(const std::vector<ReportRun>& runs) {
  std::vector<Figure> out;
  if (runs.empty()) return out;
  for (Figure f : {overhead_figure(runs), refs_figure(runs), latency_figure(runs), any_metric_figure(runs)}) {
    if (f.data.rows.empty()) continue;  // no native in any run; no OS events
    f.sources = sources_of(runs);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace hvsim
