// Results as JSON (docs/output.md), and read back: `hvsim reprice` re-prices a saved result.
#pragma once
#include <string>
#include <vector>

#include "common/profile.h"
#include "report/run_report.h"

namespace hvsim {

std::string render_json(const std::vector<RunReport>& runs, const Profile& profile);

// A result file read back: the runs with every counter and the ledger behind the priced figures
// (priced figures are left for SchemeStats::price), and the profile's identity, clock and costs.
struct SavedResults {
  Profile profile;
  std::vector<RunReport> runs;
};

// Parses what render_json wrote; `origin` names the file in errors.
SavedResults read_results_json(const std::string& text, const std::string& origin);

}  // namespace hvsim
