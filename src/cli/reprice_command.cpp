#include "cli/reprice_command.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "common/text_file.h"
#include "report/atomic_file.h"
#include "report/break_even.h"
#include "report/result_json.h"
#include "report/writers.h"

namespace hvsim {
namespace {

// Result files hold a few kilobytes per (workload, scheme); far more is not one.
constexpr uint64_t kMaxResultBytes = uint64_t{1} << 30;

struct RepriceArgs {
  std::string result;
  std::vector<std::string> settings;
  std::string json, csv;
  bool json_given = false, csv_given = false;
  BreakEvenArgs break_even;
};

std::pair<std::string, std::string> split_pair(const std::string& s) {
  auto comma = s.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == s.size() ||
      s.find(',', comma + 1) != std::string::npos)
    throw InputError(fmt::format("--between '{}': expected two schemes, e.g. --between shadow,nested", s));
  return {s.substr(0, comma), s.substr(comma + 1)};
}

Cost break_even_key(const std::string& key) {
  auto c = key.rfind("costs.", 0) == 0 ? find_cost(key) : std::nullopt;
  if (!c)
    throw InputError(fmt::format(
        "--break-even '{}': expected a costs.* key, e.g. costs.vm_exit_cycles (see `hvsim profile keys`)",
        key));
  return *c;
}

// Applies the --set assignments, which may only change costs; returns the costs they changed.
std::vector<Cost> apply_cost_settings(Profile& p, const std::vector<std::string>& settings) {
  const CostTable before = p.costs;
  for (const auto& s : settings) {
    const std::string key = s.substr(0, s.find('='));
    if (key.rfind("costs.", 0) != 0)
      throw InputError(fmt::format(
          "--set '{}': only costs.* keys can be re-priced; {} changes what is simulated, so run `hvsim "
          "compare` with it",
          s, key));
    apply_setting(p, s);
  }
  std::vector<Cost> changed;
  for (size_t i = 0; i < kCostCount; ++i)
    if (p.costs.cycles[i] != before.cycles[i]) changed.push_back(static_cast<Cost>(i));
  return changed;
}

// A scheme whose decisions read a changed cost would have run differently: refuse it.
void check_decisions(const std::vector<RunReport>& runs, const std::vector<Cost>& changed,
                     const CostTable& costs, const std::string& file) {
  for (const auto& run : runs)
    for (const auto& s : run.schemes)
      for (Cost c : changed)
        if (std::find(s.decision_costs.begin(), s.decision_costs.end(), c) != s.decision_costs.end())
          throw InputError(fmt::format(
              "{}: scheme '{}' decides with costs.{} (its choices would change), so re-pricing cannot stand "
              "in for a run; run `hvsim compare` with --set costs.{}={} instead",
              file, s.name, cost_key(c), cost_key(c), costs[c]));
}

void run_reprice(const RepriceArgs& a) {
  std::vector<OutputPath> outputs;
  if (a.json_given) outputs.push_back({"--json", a.json});
  if (a.csv_given) outputs.push_back({"--csv", a.csv});
  check_output_paths(outputs, {{"RESULT", a.result}});
  SavedResults saved = read_results_json(read_bounded_file(a.result, kMaxResultBytes,
                                                           "result file (hvsim "
                                                           "compare --json)"),
                                         a.result);
  Profile& profile = saved.profile;
  const std::vector<Cost> changed = apply_cost_settings(profile, a.settings);
  check_decisions(saved.runs, changed, profile.costs, a.result);
  for (auto& run : saved.runs)
    for (auto& s : run.schemes) s.stats.price(profile.costs);
  std::vector<std::string> schemes;
  for (const auto& run : saved.runs)
    for (const auto& s : run.schemes) schemes.push_back(s.name);
  check_break_even(a.break_even, schemes);
  for (size_t i = 0; i < saved.runs.size(); ++i)
    fmt::print("{}{}", i ? "\n" : "", render_table(saved.runs[i], profile));
  fmt::print("{}", break_even_report(a.break_even, saved.runs, profile.costs));
  if (a.json_given) write_output_file({"--json", a.json}, render_json(saved.runs, profile));
  if (a.csv_given) write_output_file({"--csv", a.csv}, render_csv(saved.runs, profile));
}

}  // namespace

void add_break_even_options(CLI::App* cmd, BreakEvenArgs& args) {
  cmd->add_option("--break-even", args.key,
                  "Print the value of this costs.* key at which the two --between schemes cost the same")
      ->type_name("KEY");
  cmd->add_option("--between", args.between, "The two schemes for --break-even, e.g. shadow,nested")
      ->type_name("A,B");
}

void check_break_even(const BreakEvenArgs& args, const std::vector<std::string>& schemes) {
  if (args.key.empty() && args.between.empty()) return;
  if (args.key.empty()) throw InputError("--between: needs --break-even KEY");
  if (args.between.empty()) throw InputError("--break-even: needs --between A,B");
  break_even_key(args.key);
  auto [a, b] = split_pair(args.between);
  if (a == b) throw InputError(fmt::format("--between '{}': expected two different schemes", args.between));
  for (const auto& name : {a, b})
    if (std::find(schemes.begin(), schemes.end(), name) == schemes.end())
      throw InputError(fmt::format("--between: scheme '{}' is not among the schemes run", name));
}

std::string break_even_report(const BreakEvenArgs& args, const std::vector<RunReport>& runs,
                              const CostTable& costs) {
  if (args.key.empty()) return "";
  const Cost key = break_even_key(args.key);
  auto [a, b] = split_pair(args.between);
  std::string out;
  for (const auto& run : runs) {
    auto [sa, sb] = find_pair(run, a, b, "--between");
    out += describe_break_even(break_even(*sa, *sb, costs, key), *sa, *sb, key, costs, run.workload) + "\n";
  }
  return out;
}

void register_reprice_command(CLI::App& app) {
  auto args = std::make_shared<RepriceArgs>();
  auto* cmd = app.add_subcommand(
      "reprice", "Price a saved result (compare --json) with other costs, without simulating");
  cmd->footer(
      "Every cost a costs.* key names is counted while simulating and priced afterwards, so a result saved\n"
      "with `hvsim compare --json` can be priced again: the table printed is the one a fresh run with those\n"
      "--set costs would print. A scheme whose decisions read a changed cost (switching's mode choice) is\n"
      "refused, since re-pricing cannot tell what it would have chosen.\n"
      "Example: hvsim reprice out.json --set costs.vm_exit_cycles=3000 --break-even costs.vm_exit_cycles "
      "--between shadow,nested");
  cmd->add_option("RESULT", args->result, "A result file written by `hvsim compare --json`")->required();
  cmd->add_option("--set", args->settings, "A new cost, e.g. --set costs.vm_exit_cycles=3000 (repeatable)");
  cmd->add_option("--json", args->json, "Also write the re-priced results as JSON to this file")
      ->each([args](const std::string&) { args->json_given = true; });
  cmd->add_option("--csv", args->csv, "Also write the re-priced results as CSV to this file")
      ->each([args](const std::string&) { args->csv_given = true; });
  add_break_even_options(cmd, args->break_even);
  cmd->callback([args] { run_reprice(*args); });
}

}  // namespace hvsim
