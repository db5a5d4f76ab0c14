#pragma once
#include <CLI/CLI.hpp>

namespace hvsim {
// `hvsim reproduce [NAME|all]`: every seed's claim as a fixed experiment, against hvsim
// (cli/reproduce_claims.h).
void register_reproduce_command(CLI::App& app);
}  // namespace hvsim
