// Renderings of `hvsim io` results: the human tables, JSON and CSV, all walking io_metric_defs().
#pragma once
#include <string>
#include <vector>

#include "io/io_result.h"

namespace hvsim {

std::string render_io_tables(const std::vector<IoResult>& runs);
std::string render_io_json(const std::vector<IoResult>& runs, const std::string& profile);
std::string render_io_csv(const std::vector<IoResult>& runs);

}  // namespace hvsim
