// Renderings of run reports: the human table and CSV (JSON: result_json.h) (documented in docs/output.md).
#pragma once
#include <string>
#include <vector>

#include "common/profile.h"
#include "report/metric_list.h"
#include "report/run_report.h"
#include "report/scheme_metrics.h"

namespace hvsim {

// The derived metrics of each scheme of `run`.
std::vector<SchemeMetrics> metrics_of(const RunReport& run, const Profile& profile);

std::string render_table(const RunReport& run, const Profile& profile);
// Per-operation latency of OS events and faults; empty when the run had none.
std::string render_event_table(const RunReport& run, const Profile& profile);
// One cell of the human table: "12.3%", "1.50M", "-" for none.
std::string format_metric(const MetricValue& v, TableFormat f);
std::string render_csv(const std::vector<RunReport>& runs, const Profile& profile);

}  // namespace hvsim
