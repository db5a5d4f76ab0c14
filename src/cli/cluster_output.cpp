#include "cli/cluster_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/invocation.h"

namespace hvsim {
namespace {

std::string cell(const ClusterMetricDef& m, const ClusterRun& r) {
  const double v = m.value(r);
  switch (m.format) {
    case ClusterFormat::kPercent:
      return fmt::format("{:.2f}%", 100 * v);
    case ClusterFormat::kFixed2:
      return fmt::format("{:.2f}", v);
    case ClusterFormat::kCount:
      break;
  }
  return fmt::format("{}", static_cast<uint64_t>(v));
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w(rows.front().size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i)
      line += i < 2 ? fmt::format("{:<{}}  ", row[i], w[i]) : fmt::format("{:>{}}  ", row[i], w[i]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string render_cluster_table(const std::vector<ClusterRun>& runs) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"policy", "allocator"});
  for (const auto& m : cluster_metric_defs())
    if (!m.table_head.empty()) rows[0].emplace_back(m.table_head);
  for (const ClusterRun& r : runs) {
    rows.push_back({r.policy, r.allocator});
    for (const auto& m : cluster_metric_defs())
      if (!m.table_head.empty()) rows.back().push_back(cell(m, r));
  }
  std::string out = table(rows);
  // Segments per VM, by count: how far from one segment the split VMs are.
  const size_t kmax = runs.front().result.counts.segments_per_vm.size();
  std::vector<std::vector<std::string>> seg{{"segments per VM", ""}};
  for (size_t k = 1; k < kmax; ++k)
    seg[0].push_back(k + 1 == kmax ? fmt::format(">{}", k - 1) : fmt::format("{}", k));
  for (const ClusterRun& r : runs) {
    seg.push_back({r.policy, r.allocator});
    for (size_t k = 1; k < kmax; ++k)
      seg.back().push_back(fmt::format("{}", r.result.counts.segments_per_vm[k]));
  }
  out += '\n';
  out += table(seg);
  if (runs.size() == 1) {  // fragmentation over time for a single run
    std::vector<std::vector<std::string>> t{{"time (s)", "running", "load", "fragmentation"}};
    for (const FragSample& s : runs[0].result.samples)
      t.push_back({fmt::format("{:.0f}", s.time), fmt::format("{}", s.running),
                   fmt::format("{:.2f}%", 100 * s.load), fmt::format("{:.2f}%", 100 * s.fragmentation)});
    out += '\n';
    out += table(t);
  }
  return out;
}

std::string render_cluster_json(const std::vector<ClusterRun>& runs, const std::string& settings_json) {
  nlohmann::json metrics = nlohmann::json::array(), out_runs = nlohmann::json::array();
  for (const auto& m : cluster_metric_defs())
    metrics.push_back({{"name", m.name}, {"unit", m.unit}, {"doc", m.doc}});
  for (const ClusterRun& r : runs) {
    nlohmann::json j = {{"policy", r.policy}, {"allocator", r.allocator}};
    for (const auto& m : cluster_metric_defs()) j[std::string(m.name)] = m.value(r);
    j["segments_per_vm"] = r.result.counts.segments_per_vm;
    nlohmann::json samples = nlohmann::json::array();
    for (const FragSample& s : r.result.samples)
      samples.push_back(
          {{"time", s.time}, {"running", s.running}, {"load", s.load}, {"fragmentation", s.fragmentation}});
    j["samples"] = samples;
    out_runs.push_back(j);
  }
  nlohmann::json doc = {
      {"metrics", metrics}, {"settings", nlohmann::json::parse(settings_json)}, {"runs", out_runs}};
  if (!invocation().empty()) doc["command"] = invocation();  // for reports
  return doc.dump(2) + "\n";
}

std::string render_cluster_csv(const std::vector<ClusterRun>& runs) {
  std::string out = "policy,allocator";
  for (const auto& m : cluster_metric_defs()) out += fmt::format(",{}", m.name);
  out += "\n";
  for (const ClusterRun& r : runs) {
    out += r.policy + "," + r.allocator;
    for (const auto& m : cluster_metric_defs()) out += fmt::format(",{}", m.value(r));
    out += "\n";
  }
  return out;
}

std::string render_segment_list(const std::vector<ClusterRun>& runs, uint64_t granule) {
  std::string out = "policy,allocator,vm,host,segments,extents\n";
  for (const ClusterRun& r : runs) {
    for (size_t i = 0; i < r.result.outcomes.size(); ++i) {
      const VmOutcome& o = r.result.outcomes[i];
      std::string ext;
      for (const Extent& e : o.segments)
        ext += fmt::format("{}{}+{}", ext.empty() ? "" : ";", e.start * granule, e.length * granule);
      out += fmt::format("{},{},{},{},{},{}\n", r.policy, r.allocator, i, o.host, o.segments.size(), ext);
    }
  }
  return out;
}

}  // namespace hvsim
