#include "report/html_report.h"

#include <fmt/format.h>

#include <filesystem>

#include "common/invocation.h"
#include "report/html_page.h"
#include "report/other_figures.h"
#include "report/result_figures.h"
#include "report/vega_assets.h"

namespace hvsim {

using nlohmann::json;

namespace {

// JSON inside a <script> element: a "<" (of "</script>" or "<!--") would end or change the
// element, so every one is written as the JSON escape \u003c.
std::string script_safe_json(const json& j) {
  const std::string text = j.dump();
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

std::vector<Figure> all_figures(const std::vector<ReportSource>& sources) {
  const auto runs = report_runs(sources);
  std::vector<Figure> out;
  for (auto group :
       {result_figures(runs), epoch_figures(runs), sweep_figures(sources), cluster_figures(sources)})
    for (auto& f : group) out.push_back(std::move(f));
  return out;
}

std::string figure_html(const Figure& f, const std::string& stem, const std::vector<ReportSource>& sources) {
  return fmt::format(
      "<section>\n<h2>{}</h2>\n<p class=\"about\">{}</p>\n<div class=\"figure\" id=\"fig-{}\"></div>\n"
      "<p class=\"files\">spec: <a href=\"{}-{}.vl.json\">{}-{}.vl.json</a>, data: <a "
      "href=\"{}-{}.csv\">{}-{}.csv</a></p>\n"
      "{}</section>\n",
      html_escape(f.title), html_escape(f.about), f.id, stem, f.id, stem, f.id, stem, f.id, stem, f.id,
      provenance_html(sources, f.sources));
}

std::string inputs_html(const std::vector<ReportSource>& sources) {
  std::string out = "<ul>";
  for (const ReportSource& s : sources) {
    const char* kind = s.kind == ReportSource::Kind::kSweep     ? "sweep"
                       : s.kind == ReportSource::Kind::kCluster ? "cluster result"
                                                                : "result";
    out += fmt::format("<li>{}: {}</li>", kind, html_escape(s.path));
  }
  return out + "</ul>\n";
}

}  // namespace

ReportFiles build_report(const std::vector<ReportSource>& sources, const std::string& html_path) {
  const std::filesystem::path page(html_path);
  const std::string stem = page.stem().string();
  const std::filesystem::path dir = page.parent_path();
  const std::vector<Figure> figures = all_figures(sources);

  ReportFiles files;
  json specs = json::object();
  std::string body;
  for (const Figure& f : figures) {
    const std::string base = fmt::format("{}-{}", stem, f.id);
    files.emplace_back((dir / (base + ".vl.json")).string(), spec_with_url(f, base + ".csv").dump(2) + "\n");
    files.emplace_back((dir / (base + ".csv")).string(), f.data.csv());
    specs["fig-" + f.id] = spec_with_values(f);
    body += figure_html(f, stem, sources);
  }

  const VegaAssets& js = vega_assets();
  std::string html = page_head("hvsim report");
  for (std::string_view lib : {js.vega, js.vega_lite, js.vega_embed}) {
    html += "<script>";
    html += lib;
    html += "</script>\n";
  }
  html += "</head>\n<body>\n<h1>hvsim report</h1>\n";
  html += fmt::format("<p>Written by <code>{}</code> (hvsim {}; plots: {}). Inputs:</p>\n",
                      html_escape(invocation().empty() ? "hvsim report" : invocation()), HVSIM_VERSION,
                      html_escape(std::string(js.versions)));
  html += inputs_html(sources);
  const std::string tables = result_tables_html(sources);
  if (!tables.empty()) html += "<h2>Comparison tables</h2>\n" + tables;
  html += body;
  html += page_script(script_safe_json(specs));
  html += "</body>\n</html>\n";
  files.emplace_back(html_path, std::move(html));
  return files;
}

}  // namespace hvsim
