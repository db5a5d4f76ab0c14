#pragma once
#include <CLI/CLI.hpp>

namespace hvsim {
// `hvsim calibrate`: measure this host and write a machine profile (src/calibrate/).
void register_calibrate_command(CLI::App& app);
}  // namespace hvsim
