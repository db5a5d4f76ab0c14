#include "sweep/sweep_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "common/text_file.h"
#include "report/atomic_file.h"
#include "report/metric_list.h"
#include "report/result_json.h"
#include "report/writers.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The record is a few hundred bytes per point; a point file a few kilobytes per scheme.
constexpr uint64_t kMaxRecordBytes = uint64_t{1} << 30;
constexpr uint64_t kMaxPointBytes = uint64_t{64} << 20;

std::string record_file(const std::string& dir) { return (fs::path(dir) / "sweep.json").string(); }

json record_of(const SweepPlan& plan) {
  json axes = json::array(), points = json::array();
  for (const auto& a : plan.experiment.axes) axes.push_back(a.key);
  for (const auto& p : plan.points)
    points.push_back({{"point", p.hash},
                      {"workload", plan.jobs[p.job].name},
                      {"seed", p.seed},
                      {"values", p.values},
                      {"description", describe_point(plan, p)}});
  return {{"hvsim_sweep", 1},
          {"name", plan.experiment.name},
          {"experiment", plan.canonical},
          {"axes", axes},
          {"points", points}};
}

json read_record(const std::string& dir) {
  const std::string file = record_file(dir);
  const std::string text = read_bounded_file(file, kMaxRecordBytes, "sweep record (written by hvsim sweep)");
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("points") || !j["points"].is_array() ||
      !j.contains("axes") || !j.contains("experiment"))
    throw InputError(fmt::format("{}: not a sweep record; expected the sweep.json hvsim sweep writes", file));
  return j;
}

// Point files are 16 hex digits and ".json"; anything else there (a temporary file of a writer
// that was killed) is not a point.
std::vector<std::string> point_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(fs::path(dir) / "points", ec)) {
    const std::string name = f.path().filename().string();
    if (name.size() == 21 && name.ends_with(".json") && name.find_first_not_of("0123456789abcdef") == 16)
      out.push_back(name.substr(0, 16));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The point's rows: its identity and axis values before what render_csv gives for each scheme.
std::string point_rows(const std::string& dir, const json& point) {
  const std::string hash = point.at("point").get<std::string>(), file = point_file(dir, hash);
  SavedResults saved = read_results_json(read_bounded_file(file, kMaxPointBytes, "sweep point"), file);
  for (auto& run : saved.runs)
    for (auto& s : run.schemes) s.stats.price(saved.profile.costs);
  std::string prefix = fmt::format("{},{}", hash, point.at("seed").get<uint64_t>());
  for (const auto& v : point.at("values")) prefix += fmt::format(",{}", csv_field(v.get<std::string>()));
  const std::string csv = render_csv(saved.runs, saved.profile);
  std::string rows;
  for (size_t at = csv.find('\n') + 1; at < csv.size();) {
    const size_t end = csv.find('\n', at);
    rows += prefix;
    rows += ',';
    rows.append(csv, at, end - at + 1);
    at = end + 1;
  }
  return rows;
}

}  // namespace

void check_sweep_dir(const std::string& dir) {
  if (dir.empty())
    throw InputError("--out: the folder name is empty; expected a folder for the sweep's results");
  std::error_code ec;
  const fs::path p(dir);
  if (fs::exists(p, ec)) {
    if (!fs::is_directory(p, ec))
      throw InputError(
          fmt::format("--out {}: not a folder; expected a new folder or one hvsim sweep wrote", dir));
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      throw InputError(fmt::format("--out {}: the folder is not writable", dir));
    // points/ comes first: shards or ranks starting at once see each other's fresh folder.
    if (!fs::is_empty(p, ec) && !fs::exists(record_file(dir), ec) && !fs::is_directory(p / "points", ec))
      throw InputError(fmt::format(
          "--out {}: the folder holds other files and no sweep.json; expected a new or empty folder, or one "
          "hvsim sweep wrote",
          dir));
    return;
  }
  const fs::path parent = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    throw InputError(fmt::format("--out {}: the folder {} does not exist", dir, parent.string()));
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw InputError(fmt::format("--out {}: cannot create a folder in {}", dir, parent.string()));
}

std::vector<std::string> prepare_sweep_dir(const std::string& dir, const SweepPlan& plan) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "points", ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create the folder: {}", dir, ec.message()));
  std::vector<std::string> changes;
  const json now = record_of(plan);
  if (fs::exists(record_file(dir))) {
    const json before = read_record(dir);
    if (before["experiment"] != now["experiment"]) {
      std::set<std::string> kept;
      for (const auto& p : plan.points) kept.insert(p.hash);
      size_t reused = 0;
      for (const auto& p : before["points"]) {
        const std::string hash = p.value("point", "");
        if (kept.count(hash)) {
          reused += point_done(dir, hash);
          continue;
        }
        if (point_done(dir, hash))
          changes.push_back(
              fmt::format("{} {} is not a point of the experiment any more; left out of results.csv", hash,
                          p.value("description", "")));
      }
      changes.insert(changes.begin(),
                     fmt::format("{}: the experiment differs from the one this folder holds; {} "
                                 "finished points are shared and reused",
                                 dir, reused));
    }
  }
  write_output_file({"--out " + dir, record_file(dir)}, now.dump(2) + "\n");
  return changes;
}

std::string point_file(const std::string& dir, const std::string& hash) {
  return (fs::path(dir) / "points" / (hash + ".json")).string();
}

bool point_done(const std::string& dir, const std::string& hash) {
  std::error_code ec;
  return fs::is_regular_file(point_file(dir, hash), ec);
}

void write_point(const std::string& dir, const SweepPlan& plan, const SweepPoint& point, const RunReport& run,
                 const Profile& profile) {
  json j = json::parse(render_json({run}, profile));
  json axes = json::object();
  for (size_t a = 0; a < plan.experiment.axes.size(); ++a)
    axes[plan.experiment.axes[a].key] = point.values[a];
  j["sweep"] = {{"point", point.hash},
                {"experiment", plan.experiment.name},
                {"seed", point.seed},
                {"axes", axes},
                {"configuration", point.canonical}};
  write_output_file({"sweep point", point_file(dir, point.hash)}, j.dump(2) + "\n");
}

SweepResults collect_results(const std::string& dir) {
  const json record = read_record(dir);
  SweepResults out;
  out.csv = "point,seed";
  for (const auto& a : record["axes"]) out.csv += fmt::format(",{}", csv_field(a.get<std::string>()));
  out.csv += ",workload,scheme";
  for (const SchemeMetricDef& d : scheme_metric_defs()) out.csv += fmt::format(",{}", d.name);
  out.csv += ",layout\n";
  std::set<std::string> known;
  for (const auto& p : record["points"]) {
    const std::string hash = p.value("point", "");
    known.insert(hash);
    ++out.points;
    if (point_done(dir, hash))
      out.csv += point_rows(dir, p);
    else
      out.missing.push_back(hash + " " + p.value("description", ""));
  }
  for (const auto& hash : point_files(dir))
    if (!known.count(hash)) out.stale.push_back(point_file(dir, hash));
  return out;
}

SweepResults write_results(const std::string& dir) {
  SweepResults r = collect_results(dir);
  write_output_file({"results.csv", (fs::path(dir) / "results.csv").string()}, r.csv);
  return r;
}

}  // namespace hvsim
