#pragma once
#include <CLI/CLI.hpp>

namespace hvsim {
// `hvsim compare`: every selected scheme on one or more workloads, one table each.
void register_compare_command(CLI::App& app);
// `hvsim schemes`, `hvsim workloads`, `hvsim profile`: what is available.
void register_info_commands(CLI::App& app);
}  // namespace hvsim
