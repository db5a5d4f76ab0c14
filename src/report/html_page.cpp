#include "report/html_page.h"

#include <fmt/format.h>

#include <algorithm>

#include "report/metric_list.h"
#include "report/writers.h"

namespace hvsim {

using nlohmann::json;

namespace {

constexpr const char* kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: 13px; }
th, td { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f4f4; cursor: help; }
.figure { margin: .5em 0; } .about { color: #444; }
.provenance { font-size: 12px; color: #555; background: #fafafa; border-left: 3px solid #ccc;
  padding: .3em .8em; margin: .5em 0 1em; }
.provenance code { white-space: pre-wrap; word-break: break-all; color: #222; }
.provenance pre { max-height: 20em; overflow: auto; }
#hvsim-render-summary { display: none; }
)";

// Collects every error the page raises (a failed figure, a script error) for the summary.
constexpr const char* kErrorTrap = R"(
window.hvsimErrors = [];
window.addEventListener('error', function (e) { window.hvsimErrors.push(String(e.message || e)); });
window.addEventListener('unhandledrejection', function (e) { window.hvsimErrors.push(String(e.reason)); });
)";

// Renders every figure as SVG, then writes {"figures":[{"id","marks"}],"errors":[...]} into
// #hvsim-render-summary, counting the data marks (role-mark groups' items, not axes or legends).
constexpr const char* kRender = R"(
(function () {
  var specs = JSON.parse(document.getElementById('hvsim-specs').textContent);
  var summary = { figures: [], errors: window.hvsimErrors };
  var options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
  var jobs = Object.keys(specs).map(function (id) {
    return vegaEmbed('#' + id, specs[id], options).then(function () {
      var marks = document.getElementById(id).querySelectorAll('svg g.role-mark > *').length;
      summary.figures.push({ id: id, marks: marks });
    }, function (e) {
      summary.figures.push({ id: id, marks: 0, error: String(e) });
      window.hvsimErrors.push(id + ': ' + e);
    });
  });
  Promise.all(jobs).then(function () {
    document.getElementById('hvsim-render-summary').textContent = JSON.stringify(summary);
    document.body.setAttribute('data-rendered', 'yes');
  });
})();
)";

MetricValue metric_value(const json& v) {
  if (v.is_number_unsigned()) return MetricValue::of(v.get<uint64_t>());
  if (v.is_number()) return MetricValue::of(v.get<double>());
  return {};
}

std::string run_table(const json& doc, const json& workload) {
  std::vector<const SchemeMetricDef*> cols;
  for (const SchemeMetricDef& d : scheme_metric_defs())
    if (d.table_column) cols.push_back(&d);
  std::sort(cols.begin(), cols.end(), [](auto* a, auto* b) { return a->table_column < b->table_column; });
  std::string out = "<table><tr><th>scheme</th>";
  for (auto* d : cols)
    out += fmt::format("<th title=\"{}: {} ({})\">{}</th>", d->name, html_escape(std::string(d->doc)),
                       d->unit, d->table_head);
  out += "</tr>\n";
  for (const json& r : doc["results"]) {
    if (r["workload"] != workload["name"]) continue;
    out += fmt::format("<tr><td>{}</td>", html_escape(r["scheme"].get<std::string>()));
    for (auto* d : cols)
      out += fmt::format("<td>{}</td>",
                         format_metric(metric_value(r.value(std::string(d->name), json())), d->table_format));
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string cluster_table(const json& doc) {
  std::string out = "<table><tr><th>policy</th><th>allocator</th>";
  for (const json& m : doc["metrics"])
    out += fmt::format("<th title=\"{} ({})\">{}</th>", html_escape(m.value("doc", "")),
                       html_escape(m.value("unit", "")), html_escape(m.value("name", "")));
  out += "</tr>\n";
  for (const json& r : doc["runs"]) {
    out += fmt::format("<tr><td>{}</td><td>{}</td>", html_escape(r.value("policy", "")),
                       html_escape(r.value("allocator", "")));
    for (const json& m : doc["metrics"]) {
      const json v = r.value(m.value("name", ""), json());
      out += fmt::format("<td>{}</td>", v.is_number() ? fmt::format("{:.4g}", v.get<double>()) : "-");
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

// The configuration behind a source, one `key = value` a line.
std::string config_text(const ReportSource& s) {
  if (s.kind == ReportSource::Kind::kSweep)
    return fmt::format("axes: {}\nrows: {}", fmt::join(s.sweep.axes, ", "), s.sweep.rows.size());
  const json& cfg =
      s.doc.contains("config") ? s.doc["config"] : s.doc.value("settings", s.doc.value("profile", json()));
  std::string out;
  if (s.doc.contains("profile"))
    out += fmt::format("profile = {} ({})\n", s.doc["profile"].value("name", "?"),
                       s.doc["profile"].value("origin", "?"));
  for (const auto& [k, v] : cfg.items())
    out += fmt::format("{} = {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string result_tables_html(const std::vector<ReportSource>& sources) {
  std::string out;
  for (const ReportSource& s : sources) {
    if (s.kind == ReportSource::Kind::kResult) {
      for (const json& w : s.doc["workloads"])
        out += fmt::format("<h3>{} <small>({}, {} accesses)</small></h3>\n{}",
                           html_escape(w["name"].get<std::string>()), html_escape(s.path),
                           w["accesses"].get<uint64_t>(), run_table(s.doc, w));
    } else if (s.kind == ReportSource::Kind::kCluster) {
      out +=
          fmt::format("<h3>cluster <small>({})</small></h3>\n{}", html_escape(s.path), cluster_table(s.doc));
    }
    if (s.kind != ReportSource::Kind::kSweep) out += provenance_html(sources, {size_t(&s - sources.data())});
  }
  return out;
}

std::string provenance_html(const std::vector<ReportSource>& sources, const std::vector<size_t>& which) {
  std::string out = "<div class=\"provenance\">";
  for (size_t i : which) {
    const ReportSource& s = sources[i];
    std::string command;
    if (s.kind == ReportSource::Kind::kSweep)
      command = fmt::format(
          "hvsim sweep ... --out {} (its table results.csv; each point's own command and "
          "configuration are in {}/points/)",
          s.path, s.path);
    else
      command =
          s.doc.value("command", "(not recorded: the file was written by an hvsim that did not record it)");
    out += fmt::format(
        "<div>from <b>{}</b>: <code class=\"command\">{}</code>"
        "<details><summary>configuration</summary><pre>{}</pre></details></div>",
        html_escape(s.path), html_escape(command), html_escape(config_text(s)));
  }
  return out + "</div>\n";
}

std::string page_head(const std::string& title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n"
      "<style>{}</style>\n<script>{}</script>\n",
      html_escape(title), kStyle, kErrorTrap);
}

std::string page_script(const std::string& specs_json) {
  return fmt::format(
      "<pre id=\"hvsim-render-summary\"></pre>\n<script type=\"application/json\" "
      "id=\"hvsim-specs\">{}</script>\n"
      "<script>{}</script>\n",
      specs_json, kRender);
}

}  // namespace hvsim
