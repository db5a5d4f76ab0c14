// The figures of a report as Vega-Lite specifications with their data. Each figure's data is a
// table (written beside the page as CSV) and its spec names the columns; the page embeds both.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hvsim {

struct FigureData {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;  // numbers, strings or null, by column

  void add(std::vector<nlohmann::json> row) { rows.push_back(std::move(row)); }
  nlohmann::json values() const;  // the rows as objects, for an inline data source
  std::string csv() const;
};

struct Figure {
  std::string id;       // file-name part: "overhead"
  std::string title;    // heading
  std::string about;    // one sentence: what is drawn
  nlohmann::json spec;  // Vega-Lite, without "data"
  FigureData data;
  std::vector<size_t> sources;  // indices of the inputs it was drawn from
};

// The spec with its data inline (for the page) or as `url` (the .vl.json beside it).
nlohmann::json spec_with_values(const Figure& f);
nlohmann::json spec_with_url(const Figure& f, const std::string& url);

// A drop-down bound to the data: `name` holds the chosen option, read in expressions.
nlohmann::json select_param(const std::string& name, const std::vector<std::string>& options,
                            const std::string& initial, const std::string& label);

// Lines of the column chosen by param `metric` among `metrics` against `x`, one per `series`
// (dashed by `dash` when given). `x_type`: "quantitative" or "ordinal".
nlohmann::json metric_lines(const std::string& x, const std::string& x_type, const std::string& x_title,
                            const std::string& series, const std::string& dash,
                            const std::vector<std::string>& metrics, const std::string& initial);

// Bars of `y` per `x`, side by side per `group` (colored by it).
nlohmann::json grouped_bars(const std::string& x, const std::string& y, const std::string& y_title,
                            const std::string& group);

}  // namespace hvsim
