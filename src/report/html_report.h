// `hvsim report`: one self-contained HTML page (the plotting libraries inline, so it opens
// offline) with the comparison tables and every figure, each figure's Vega-Lite spec (.vl.json)
// and data (.csv) beside it, and under every figure the command and configuration behind it.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "report/report_input.h"

namespace hvsim {

// Path and content of every file of the report for a page at `html_path`; the page comes last
// (its figures' files are named "<stem>-<figure>.vl.json" and ".csv" in its directory).
using ReportFiles = std::vector<std::pair<std::string, std::string>>;
ReportFiles build_report(const std::vector<ReportSource>& sources, const std::string& html_path);

}  // namespace hvsim
