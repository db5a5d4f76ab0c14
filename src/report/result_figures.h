// The figures drawn from results of `hvsim compare` (and `reprice`): overhead against native split
// by where the time goes, references per walk, per-operation latency, any metric per scheme, and
// with `--epoch` the time series. Sweep and cluster figures: other_figures.h.
#pragma once
#include <vector>

#include "report/report_input.h"
#include "report/vega_specs.h"

namespace hvsim {

// The runs of every result source, labelled uniquely ("gups", or "a.json: gups" when two inputs
// share a workload name).
struct ReportRun {
  size_t source = 0;
  std::string label;
  const nlohmann::json* workload = nullptr;
  std::vector<const nlohmann::json*> results;  // one per scheme, in run order
};
std::vector<ReportRun> report_runs(const std::vector<ReportSource>& sources);

std::vector<Figure> result_figures(const std::vector<ReportRun>& runs);
std::vector<Figure> epoch_figures(const std::vector<ReportRun>& runs);

// Every scalar metric's name, in the metric list's order.
std::vector<std::string> metric_names();

}  // namespace hvsim
