#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace hvsim {

// `hvsim report DIR|RESULT.json... --out report.html`: the HTML report with plots.
void register_report_command(CLI::App& app);

// For `compare --report DIR`: throws InputError unless DIR is a directory or can be made in an
// existing one (checked before the run).
void check_report_folder(const std::string& dir);
// Writes DIR/results.json (`result_json`, what render_json gave) and the report drawn from it,
// DIR/report.html with its figures' files.
void write_report_folder(const std::string& dir, const std::string& result_json);

}  // namespace hvsim
