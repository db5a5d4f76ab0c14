// Time series of runs with `--epoch N`: any metric per epoch, and how switching and agile paging
// move between shadow and nested mode.
#include <fmt/format.h>

#include <set>

#include "report/result_figures.h"

namespace hvsim {

using nlohmann::json;

namespace {

double detail(const json& r, const std::string& key) {
  const json& d = r["details"];
  auto it = d.find(key);
  return it != d.end() && it->is_number() ? it->get<double>() : 0.0;
}

// The share of an epoch in nested mode, or null when the scheme has none: switching's events run
// in nested mode; agile's walks that switched to nested at some level (level 0: all shadow).
json nested_share(const json& r) {
  if (r["scheme"] == "switching") {
    const double n = detail(r, "events_in_nested"), s = detail(r, "events_in_shadow");
    return n + s > 0 ? json(n / (n + s)) : json(detail(r, "mode_is_nested"));
  }
  if (r["scheme"] == "agile") {
    double all = 0;
    for (const auto& [k, v] : r["details"].items())
      if (k.rfind("walks_switching_at_level_", 0) == 0 && v.is_number()) all += v.get<double>();
    return all > 0 ? json(1.0 - detail(r, "walks_switching_at_level_0") / all) : json(nullptr);
  }
  return nullptr;
}

FigureData epoch_table(const std::vector<ReportRun>& runs) {
  FigureData d{{"workload", "scheme", "epoch_end"}, {}};
  for (const auto& m : metric_names()) d.columns.push_back(m);
  for (const ReportRun& run : runs) {
    if (!run.workload->contains("epochs")) continue;
    for (const json& e : (*run.workload)["epochs"])
      for (const json& r : e["results"]) {
        std::vector<json> row = {run.label, r["scheme"],
                                 e["first_access"].get<uint64_t>() + e["accesses"].get<uint64_t>()};
        for (const auto& m : metric_names()) row.push_back(r.value(m, json()));
        d.add(std::move(row));
      }
  }
  return d;
}

Figure modes_figure(const std::vector<ReportRun>& runs, bool dashed) {
  Figure f{"epoch-modes",
           "Share of each epoch in nested mode",
           "switching: the share of the epoch's events handled in nested (TDP) mode; agile: the share of "
           "walks that switched from shadow to nested at some guest level.",
           {},
           {{"workload", "scheme", "epoch_end", "nested_share"}, {}},
           {}};
  for (const ReportRun& run : runs) {
    if (!run.workload->contains("epochs")) continue;
    for (const json& e : (*run.workload)["epochs"])
      for (const json& r : e["results"]) {
        const json share = nested_share(r);
        if (!share.is_null())
          f.data.add({run.label, r["scheme"],
                      e["first_access"].get<uint64_t>() + e["accesses"].get<uint64_t>(), share});
      }
  }
  json enc = {{"x", {{"field", "epoch_end"}, {"type", "quantitative"}, {"title", "measured accesses"}}},
              {"y",
               {{"field", "nested_share"},
                {"type", "quantitative"},
                {"title", "nested share"},
                {"axis", {{"format", "%"}}},
                {"scale", {{"domain", {0, 1}}}}}},
              {"color", {{"field", "scheme"}, {"type", "nominal"}}},
              {"tooltip", json::array({{{"field", "workload"}},
                                       {{"field", "scheme"}},
                                       {{"field", "epoch_end"}},
                                       {{"field", "nested_share"}, {"format", ".1%"}}})}};
  if (dashed) enc["strokeDash"] = {{"field", "workload"}, {"type", "nominal"}};
  f.spec = {{"width", 480},
            {"height", 200},
            {"mark", {{"type", "line"}, {"point", true}, {"interpolate", "step-after"}}},
            {"encoding", enc}};
  return f;
}

}  // namespace

std::vector<Figure> epoch_figures(const std::vector<ReportRun>& runs) {
  std::vector<Figure> out;
  const FigureData table = epoch_table(runs);
  if (table.rows.empty()) return out;
  std::set<size_t> srcs;
  std::set<std::string> workloads;
  for (const auto& r : runs)
    if (r.workload->contains("epochs")) {
      srcs.insert(r.source);
      workloads.insert(r.label);
    }
  const bool dashed = workloads.size() > 1;
  const std::string dash = dashed ? "workload" : "";
  const std::string x_title = "measured accesses at the end of the epoch";
  out.push_back(
      {"epoch-mpki",
       "TLB misses over time",
       "Second-level TLB misses per 1000 accesses in each epoch (--epoch); the menu picks any other "
       "metric.",
       metric_lines("epoch_end", "quantitative", x_title, "scheme", dash, metric_names(), "tlb_l2_mpki"),
       table,
       {}});
  out.push_back(
      {"epoch-exits",
       "VM exits over time",
       "VM exits in each epoch; the menu picks any other metric.",
       metric_lines("epoch_end", "quantitative", x_title, "scheme", dash, metric_names(), "vm_exits"),
       table,
       {}});
  Figure modes = modes_figure(runs, dashed);
  if (!modes.data.rows.empty()) out.push_back(std::move(modes));
  for (auto& f : out) f.sources = {srcs.begin(), srcs.end()};
  return out;
}

}  // namespace hvsim
