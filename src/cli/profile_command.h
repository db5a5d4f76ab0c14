#pragma once
#include <CLI/CLI.hpp>

namespace hvsim {
// `hvsim profile keys [--json]`, `hvsim profile list`.
void register_profile_command(CLI::App& app);
}  // namespace hvsim
