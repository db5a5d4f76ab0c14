#include "cli/report_command.h"

#include <fmt/format.h>

#include <filesystem>

#include "common/error.h"
#include "report/atomic_file.h"
#include "report/html_report.h"

namespace hvsim {
namespace {

struct ReportArgs {
  std::vector<std::string> inputs;
  std::string out = "report.html";
};

// Every file is checked before any is written; the page goes last, so a failure part-way never
// leaves a report that looks complete.
void write_report(const ReportFiles& files, const std::string& option,
                  const std::vector<OutputPath>& inputs) {
  std::vector<OutputPath> outputs;
  for (const auto& [path, content] : files) outputs.push_back({option, path});
  check_output_paths(outputs, inputs);
  for (const auto& [path, content] : files) write_output_file({option, path}, content);
}

void run_report(const ReportArgs& a) {
  if (a.out.empty()) throw InputError("--out: the file name is empty; expected an .html file");
  std::vector<OutputPath> inputs;
  for (const auto& in : a.inputs)
    if (!std::filesystem::is_directory(in)) inputs.push_back({"hvsim report", in});
  // The page itself first: a bad --out fails before any input is read.
  check_output_paths({{"--out", a.out}}, inputs);
  const auto sources = load_report_sources(a.inputs);
  const ReportFiles files = build_report(sources, a.out);
  write_report(files, "--out", inputs);
  fmt::print("wrote {} ({} figures, spec and data of each beside it)\n", a.out, (files.size() - 1) / 2);
}

}  // namespace

void check_report_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty()) throw InputError("--report: the folder name is empty; expected a folder");
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      throw InputError(fmt::format("--report {}: not a folder; expected a folder", dir));
    check_output_paths({{"--report", (fs::path(dir) / "report.html").string()}});
    return;
  }
  const fs::path parent = fs::absolute(dir, ec).parent_path();
  if (!fs::is_directory(parent, ec))
    throw InputError(fmt::format("--report {}: {} is not a folder; expected a folder in an existing one", dir,
                                 parent.string()));
}

void write_report_folder(const std::string& dir, const std::string& result_json) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError(fmt::format("--report {}: cannot make the folder: {}", dir, ec.message()));
  ReportSource src;
  src.path = (fs::path(dir) / "results.json").string();
  src.doc = nlohmann::json::parse(result_json);
  write_output_file({"--report", src.path}, result_json);
  write_report(build_report({src}, (fs::path(dir) / "report.html").string()), "--report", {});
}

void register_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Write an HTML report with plots from results and sweeps");
  cmd->footer(
      "Reads result files (`hvsim compare --json`, `hvsim reprice --json`, `hvsim cluster --json`) and "
      "sweep\n"
      "folders (DIR/results.csv) and writes one self-contained page that opens offline: the comparison\n"
      "tables; each scheme's overhead against native split into walks, second-level TLB hits, hypervisor\n"
      "and guest-kernel time; references per walk; per-operation latency; any metric against any sweep\n"
      "axis; time series of --epoch runs; cluster histograms and fragmentation. Under every figure: the\n"
      "command and configuration behind it. Each figure's Vega-Lite spec (.vl.json) and data (.csv) are\n"
      "written beside the page, named after it.\n"
      "Example: hvsim compare --workload gups --json gups.json && hvsim report gups.json --out gups.html");
  cmd->add_option("INPUT", args->inputs, "Result JSON files and sweep folders")->required();
  cmd->add_option("-o,--out", args->out, "The page to write; figure files go beside it")
      ->default_str("report.html");
  cmd->callback([args] { run_report(*args); });
}

}  // namespace hvsim
