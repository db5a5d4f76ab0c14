#include "report/report_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/text_file.h"
#include "report/metric_list.h"
#include "report/result_json.h"

namespace hvsim {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxInputBytes = uint64_t{1} << 30;

// One CSV record from `pos`; false at the end of the text.
bool next_record(const std::string& text, size_t& pos, std::vector<std::string>& fields,
                 const std::string& origin, size_t line) {
  fields.clear();
  if (pos >= text.size()) return false;
  std::string field;
  bool quoted = false;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (pos + 1 < text.size() && text[pos + 1] == '"') {
        field += '"';
        ++pos;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      ++pos;
      break;
    } else if (c != '\r') {
      field += c;
    }
  }
  if (quoted)
    throw InputError(fmt::format("{}: line {}: unterminated quoted field; expected CSV", origin, line));
  fields.push_back(std::move(field));
  return true;
}

json cell_value(const std::string& text) {
  if (text.empty()) return nullptr;
  size_t used = 0;
  try {
    const double v = std::stod(text, &used);
    if (used == text.size()) {
      if (text.find_first_not_of("0123456789") == std::string::npos) return std::stoull(text);
      return v;
    }
  } catch (const std::exception&) {
  }
  return text;
}

bool is_metric(const std::string& column) {
  const auto defs = scheme_metric_defs();
  return std::any_of(defs.begin(), defs.end(), [&](const SchemeMetricDef& d) { return d.name == column; });
}

ReportSource load_json_source(const std::string& path) {
  ReportSource src;
  src.path = path;
  const std::string text = read_bounded_file(path, kMaxInputBytes, "result file");
  try {
    src.doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON (byte {}); expected an hvsim result", path, e.byte));
  }
  if (src.doc.is_object() && src.doc.contains("runs") && src.doc.contains("metrics")) {
    src.kind = ReportSource::Kind::kCluster;
    const json& runs = src.doc["runs"];
    if (!runs.is_array() || runs.empty())
      throw InputError(fmt::format("{}: runs: expected a non-empty array of cluster runs", path));
    for (const json& r : runs)
      if (!r.is_object() || !r.contains("policy") || !r["segments_per_vm"].is_array() ||
          !r["samples"].is_array())
        throw InputError(fmt::format(
            "{}: runs: expected policy, segments_per_vm and samples in every run (hvsim cluster --json)",
            path));
    return src;
  }
  read_results_json(text, path);  // checks every key a result must have
  src.kind = ReportSource::Kind::kResult;
  return src;
}

}  // namespace

SweepTable parse_sweep_csv(const std::string& text, const std::string& origin) {
  SweepTable t;
  std::vector<std::string> header, fields;
  size_t pos = 0, line = 1;
  if (!next_record(text, pos, header, origin, line) || header.size() < 2)
    throw InputError(
        fmt::format("{}: no header; expected axis columns, scheme, then metric columns", origin));
  if (std::find(header.begin(), header.end(), "scheme") == header.end())
    throw InputError(fmt::format("{}: line 1: no 'scheme' column; expected a sweep's results.csv", origin));
  // `hvsim sweep` names each point by the hash of its configuration (`point`): an id, not an
  // axis. Its `seed` is an axis, but the last one a plot should open on.
  bool seed = false;
  for (const auto& c : header) {
    // The layout a scheme ran on goes with the scheme (schemes/scheme_layout.h): no axis either.
    if (c == "scheme" || c == "point" || c == "layout") continue;
    if (c == "seed" && !is_metric(c)) {
      seed = true;
      continue;
    }
    (is_metric(c) ? t.metrics : t.axes).push_back(c);
  }
  if (seed) t.axes.push_back("seed");
  if (t.metrics.empty())
    throw InputError(
        fmt::format("{}: line 1: no metric column (such as total_cycles); expected a sweep's "
                    "results.csv",
                    origin));
  while (next_record(text, pos, fields, origin, ++line)) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (fields.size() != header.size())
      throw InputError(fmt::format("{}: line {}: {} fields; expected {} as in the header", origin, line,
                                   fields.size(), header.size()));
    json row = json::object();
    for (size_t i = 0; i < header.size(); ++i)
      row[header[i]] =
          header[i] == "scheme" || header[i] == "layout" ? json(fields[i]) : cell_value(fields[i]);
    t.rows.push_back(std::move(row));
  }
  if (t.rows.empty())
    throw InputError(fmt::format("{}: no rows; expected one row per point and scheme", origin));
  return t;
}

std::vector<ReportSource> load_report_sources(const std::vector<std::string>& paths) {
  if (paths.empty()) throw InputError("no input; expected result JSON files or sweep folders");
  std::vector<ReportSource> out;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      const std::string csv = (std::filesystem::path(path) / "results.csv").string();
      ReportSource src;
      src.kind = ReportSource::Kind::kSweep;
      src.path = path;
      src.sweep = parse_sweep_csv(read_bounded_file(csv, kMaxInputBytes, "sweep table"), csv);
      out.push_back(std::move(src));
    } else {
      out.push_back(load_json_source(path));
    }
  }
  return out;
}

}  // namespace hvsim
