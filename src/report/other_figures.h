// Figures of sweeps (DIR/results.csv) and of `hvsim cluster` results.
#pragma once
#include <vector>

#include "report/report_input.h"
#include "report/vega_specs.h"

namespace hvsim {

// Per sweep: any metric against any axis, one line per scheme.
std::vector<Figure> sweep_figures(const std::vector<ReportSource>& sources);
// Per cluster result: segments per VM, and fragmentation (or load) over time.
std::vector<Figure> cluster_figures(const std::vector<ReportSource>& sources);

}  // namespace hvsim
