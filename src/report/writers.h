// Renderings of run reports: the human table, JSON and CSV (documented in docs/output.md).
#pragma once
#include <string>
#include <vector>

#include "common/profile.h"
#include "report/run_report.h"

namespace hvsim {

std::string render_table(const RunReport& run, const Profile& profile);
// Per-operation latency of OS events and faults; empty when the run had none.
std::string render_event_table(const RunReport& run, const Profile& profile);
std::string render_json(const std::vector<RunReport>& runs, const Profile& profile);
std::string render_csv(const std::vector<RunReport>& runs, const Profile& profile);

}  // namespace hvsim
