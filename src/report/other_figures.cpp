#include "report/other_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace hvsim {

using nlohmann::json;

namespace {

// The metric a sweep plot opens on: the slowdown when native was in the sweep, else the cycles.
std::string initial_metric(const SweepTable& t) {
  for (const char* m : {"overhead_vs_native", "total_cycles"})
    if (std::find(t.metrics.begin(), t.metrics.end(), m) != t.metrics.end()) return m;
  return t.metrics.front();
}

// The axis a sweep plot opens on: the first whose values are numbers, more than one of them (a
// line needs two points), else the first.
std::string initial_axis(const SweepTable& t) {
  for (const auto& axis : t.axes) {
    std::set<double> values;
    bool numbers = true;
    for (const json& r : t.rows) {
      const json& v = r[axis];
      numbers = numbers && (v.is_number() || v.is_null());
      if (v.is_number()) values.insert(v.get<double>());
    }
    if (numbers && values.size() > 1) return axis;
  }
  return t.axes.front();
}

Figure sweep_figure(const ReportSource& src, size_t index) {
  const SweepTable& t = src.sweep;
  Figure f;
  f.id = index ? fmt::format("sweep-{}", index + 1) : "sweep";
  f.title = fmt::format("Sweep {}: any metric against any axis", src.path);
  f.about = fmt::format(
      "One line per scheme; the menus pick the metric and the axis ({}). Points that differ in the other "
      "axes are averaged (the tooltip gives how many rows each point stands for).",
      fmt::join(t.axes, ", "));
  f.data.columns = t.axes;
  f.data.columns.push_back("scheme");
  for (const auto& m : t.metrics) f.data.columns.push_back(m);
  for (const json& r : t.rows) {
    std::vector<json> row;
    for (const auto& c : f.data.columns) row.push_back(r.value(c, json()));
    f.data.add(std::move(row));
  }
  if (t.axes.empty()) {  // nothing varies: one bar per scheme
    f.spec = grouped_bars("scheme", "value", "chosen metric", "scheme");
    f.spec["transform"] = json::array({{{"calculate", "toNumber(datum[metric])"}, {"as", "value"}}});
    f.spec["params"] = json::array({select_param("metric", t.metrics, initial_metric(t), "metric")});
  } else {
    // Axis values may be numbers or text ("4K"): an ordinal x sorts both.
    f.spec = metric_lines("axis_value", "ordinal", "chosen axis", "scheme", "", t.metrics, initial_metric(t));
    f.spec["params"].push_back(select_param("axis", t.axes, initial_axis(t), "axis"));
    f.spec["transform"].push_back({{"calculate", "datum[axis]"}, {"as", "axis_value"}});
  }
  f.sources = {index};
  return f;
}

std::string run_label(const json& r) {
  return fmt::format("{}/{}", r.value("policy", ""), r.value("allocator", ""));
}

Figure segments_figure(const ReportSource& src, size_t index) {
  Figure f{"segments-per-vm",
           "Segments per VM",
           "How many VMs got their memory in 1, 2, ... host segments (the last bar: more than the one "
           "before), per placement policy and allocator.",
           grouped_bars("segments", "vms", "VMs", "run"),
           {{"run", "segments", "vms"}, {}},
           {index}};
  for (const json& r : src.doc["runs"]) {
    const json& hist = r["segments_per_vm"];
    const size_t kmax = hist.size();
    for (size_t k = 1; k < kmax; ++k)
      f.data.add({run_label(r), k + 1 == kmax ? fmt::format(">{}", k - 1) : fmt::format("{}", k), hist[k]});
  }
  return f;
}

Figure fragmentation_figure(const ReportSource& src, size_t index) {
  Figure f{"fragmentation",
           "Fragmentation over time",
           "Free host memory not in the largest free range, over the replay; the menu shows load or "
           "running VMs instead.",
           metric_lines("time", "quantitative", "time (s)", "run", "", {"fragmentation", "load", "running"},
                        "fragmentation"),
           {{"run", "time", "fragmentation", "load", "running"}, {}},
           {index}};
  for (const json& r : src.doc["runs"])
    for (const json& s : r["samples"])
      f.data.add({run_label(r), s["time"], s["fragmentation"], s["load"], s["running"]});
  f.spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}};
  return f;
}

}  // namespace

std::vector<Figure> sweep_figures(const std::vector<ReportSource>& sources) {
  std::vector<Figure> out;
  size_t n = 0;
  for (size_t i = 0; i < sources.size(); ++i)
    if (sources[i].kind == ReportSource::Kind::kSweep) {
      out.push_back(sweep_figure(sources[i], n++));
      out.back().sources = {i};
    }
  return out;
}

std::vector<Figure> cluster_figures(const std::vector<ReportSource>& sources) {
  std::vector<Figure> out;
  size_t n = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].kind != ReportSource::Kind::kCluster) continue;
    const std::string suffix = n++ ? fmt::format("-{}", n) : "";
    for (Figure f : {segments_figure(sources[i], i), fragmentation_figure(sources[i], i)}) {
      if (f.data.rows.empty()) continue;
      f.id += suffix;
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace hvsim
