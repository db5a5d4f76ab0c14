// The pieces of the report page: escaping, tables, provenance, and the script that renders the
// figures and leaves a machine-readable summary in the page (for tests and for users who check
// a page rendered: element #hvsim-render-summary).
#pragma once
#include <string>
#include <vector>

#include "report/report_input.h"
#include "report/vega_specs.h"

namespace hvsim {

std::string html_escape(const std::string& s);

// The comparison table of each run of each result, and each cluster result's table.
std::string result_tables_html(const std::vector<ReportSource>& sources);

// What produced `sources`: the command, the file, and the whole configuration (folded).
std::string provenance_html(const std::vector<ReportSource>& sources, const std::vector<size_t>& which);

// <head> and the opening of <body>: styles, the error trap and the libraries.
std::string page_head(const std::string& title);
// Embeds `specs` (an object: element id -> Vega-Lite spec) and renders them when the page loads.
std::string page_script(const std::string& specs_json);

}  // namespace hvsim
