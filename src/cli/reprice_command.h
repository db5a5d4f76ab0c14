#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/profile.h"
#include "report/run_report.h"

namespace hvsim {

// `hvsim reprice RESULT.json --set costs.K=V`: a saved result priced with other costs, as a
// fresh run with those costs would print it.
void register_reprice_command(CLI::App& app);

// `--break-even costs.K --between A,B`, for compare and reprice.
struct BreakEvenArgs {
  std::string key;
  std::string between;
};
void add_break_even_options(CLI::App* cmd, BreakEvenArgs& args);
// Checks the options before anything runs; `schemes` are those the runs will have.
void check_break_even(const BreakEvenArgs& args, const std::vector<std::string>& schemes);
// The answer for each run, one line each (empty without --break-even).
std::string break_even_report(const BreakEvenArgs& args, const std::vector<RunReport>& runs,
                              const CostTable& costs);

}  // namespace hvsim
