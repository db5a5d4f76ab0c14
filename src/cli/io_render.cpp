#include "cli/io_render.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/config_registry.h"

namespace hvsim {
namespace {

std::string cell(double v, std::string_view unit) {
  if (unit == "fraction") return fmt::format("{:.1f}%", v * 100);
  const double a = std::fabs(v);
  if (a >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
  if (a >= 100 || v == std::floor(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

std::string run_title(const IoResult& r) {
  const IoParams& p = r.params;
  return fmt::format(
      "policy: {}  guests {}  device side {} ({} core{})  completion {}  load {}  size {} B  "
      "requests {}  seed {}",
      io_policy_name(p.policy), p.guests, io_core_model_name(r.core_model), r.io_cores,
      r.io_cores == 1 ? "" : "s",
      std::array{"auto", "interrupt", "exitless", "poll"}[static_cast<size_t>(r.completion)],
      io_load_text(p.load), p.size, r.counts.completed, p.seed);
}

}  // namespace

// One table per run: each metric with a table head, as a row with its value and unit.
std::string render_io_tables(const std::vector<IoResult>& runs) {
  std::string out;
  for (const IoResult& r : runs) {
    out += run_title(r) + "\n";
    std::string line;
    int in_line = 0;
    for (const IoMetricDef& d : io_metric_defs()) {
      if (d.table_head.empty()) continue;
      line += fmt::format("  {:>11} {:>9}", d.table_head, cell(d.value(r), d.unit));
      if (++in_line == 4) {
        out += line + "\n";
        line.clear();
        in_line = 0;
      }
    }
    if (!line.empty()) out += line + "\n";
    out += "\n";
  }
  return out;
}

std::string render_io_json(const std::vector<IoResult>& runs, const std::string& profile) {
  nlohmann::json j;
  j["command"] = "io";
  j["profile"] = profile;
  for (const IoMetricDef& d : io_metric_defs())
    j["metrics"].push_back({{"name", d.name}, {"unit", d.unit}, {"doc", d.doc}});
  for (const IoResult& r : runs) {
    nlohmann::json o;
    o["policy"] = io_policy_name(r.params.policy);
    o["guests"] = r.params.guests;
    o["io_model"] = io_core_model_name(r.core_model);
    o["io_cores"] = r.io_cores;
    o["load"] = io_load_text(r.params.load);
    o["size"] = r.params.size;
    o["seed"] = r.params.seed;
    for (const IoMetricDef& d : io_metric_defs()) o[std::string(d.name)] = d.value(r);
    for (size_t i = 0; i < kIoExitNames.size(); ++i) o["exits"][kIoExitNames[i]] = r.counts.exits[i];
    o["per_guest_requests"] = r.guest_completed;
    // The [io] values the run used, as the profile would spell them: a run is reproducible.
    for (const auto& key : ConfigSectionOf<IoConfig>::section->keys)
      o["io"][key->name()] = key->text(&r.params.cfg);
    j["runs"].push_back(o);
  }
  return j.dump(2) + "\n";
}

std::string render_io_csv(const std::vector<IoResult>& runs) {
  std::string out = "policy,guests,io_model,io_cores,load,size,seed";
  for (const IoMetricDef& d : io_metric_defs()) out += fmt::format(",{}", d.name);
  out += "\n";
  for (const IoResult& r : runs) {
    out += fmt::format("{},{},{},{},{},{},{}", io_policy_name(r.params.policy), r.params.guests,
                       io_core_model_name(r.core_model), r.io_cores, io_load_text(r.params.load),
                       r.params.size, r.params.seed);
    for (const IoMetricDef& d : io_metric_defs()) out += fmt::format(",{}", d.value(r));
    out += "\n";
  }
  return out;
}

}  // namespace hvsim
