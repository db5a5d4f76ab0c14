#include "report/vega_specs.h"

#include <fmt/format.h>

namespace hvsim {

using nlohmann::json;

namespace {

constexpr const char* kSchema = "https://vega.github.io/schema/vega-lite/v5.json";

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (!v.is_string()) return v.dump();
  const auto& s = v.get_ref<const std::string&>();
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';  // doubled
    out += c;
  }
  out += '"';
  return out;
}

json tooltip(const std::vector<std::string>& fields) {
  json t = json::array();
  for (const auto& f : fields) t.push_back({{"field", f}});
  return t;
}

}  // namespace

json FigureData::values() const {
  json out = json::array();
  for (const auto& row : rows) {
    json o = json::object();
    for (size_t i = 0; i < columns.size() && i < row.size(); ++i) o[columns[i]] = row[i];
    out.push_back(std::move(o));
  }
  return out;
}

std::string FigureData::csv() const {
  std::string out;
  auto line = [&out](const auto& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += csv_cell(cells[i]);
    }
    out += '\n';
  };
  line(columns);
  for (const auto& row : rows) line(row);
  return out;
}

json spec_with_values(const Figure& f) {
  json s = f.spec;
  s["$schema"] = kSchema;
  s["data"] = {{"values", f.data.values()}};
  return s;
}

json spec_with_url(const Figure& f, const std::string& url) {
  json s = f.spec;
  s["$schema"] = kSchema;
  s["data"] = {{"url", url}, {"format", {{"type", "csv"}}}};
  return s;
}

json select_param(const std::string& name, const std::vector<std::string>& options,
                  const std::string& initial, const std::string& label) {
  return {{"name", name},
          {"value", initial},
          {"bind", {{"input", "select"}, {"options", options}, {"name", label + " "}}}};
}

json metric_lines(const std::string& x, const std::string& x_type, const std::string& x_title,
                  const std::string& series, const std::string& dash, const std::vector<std::string>& metrics,
                  const std::string& initial) {
  // The chosen column is copied into `value` so one encoding serves every metric; points that
  // differ in columns not on the plot are averaged (the tooltip says how many).
  json enc = {
      {"x", {{"field", x}, {"type", x_type}, {"title", x_title}, {"sort", "ascending"}}},
      {"y",
       {{"field", "value"}, {"type", "quantitative"}, {"aggregate", "mean"}, {"title", "chosen metric"}}},
      {"color", {{"field", series}, {"type", "nominal"}}},
      {"tooltip", json::array({{{"field", series}},
                               {{"field", x}},
                               {{"field", "value"}, {"aggregate", "mean"}, {"title", "mean"}},
                               {{"field", "value"}, {"aggregate", "count"}, {"title", "rows"}}})}};
  if (!dash.empty()) enc["strokeDash"] = {{"field", dash}, {"type", "nominal"}};
  return {{"width", 480},
          {"height", 260},
          {"params", json::array({select_param("metric", metrics, initial, "metric")})},
          {"transform", json::array({{{"calculate", "toNumber(datum[metric])"}, {"as", "value"}}})},
          {"mark", {{"type", "line"}, {"point", true}}},
          {"encoding", enc}};
}

json grouped_bars(const std::string& x, const std::string& y, const std::string& y_title,
                  const std::string& group) {
  return {{"mark", "bar"},
          {"encoding",
           {{"x", {{"field", x}, {"type", "nominal"}, {"sort", nullptr}}},
            {"y", {{"field", y}, {"type", "quantitative"}, {"title", y_title}}},
            {"xOffset", {{"field", group}, {"type", "nominal"}}},
            {"color", {{"field", group}, {"type", "nominal"}}},
            {"tooltip", tooltip({x, group, y})}}}};
}

}  // namespace hvsim
