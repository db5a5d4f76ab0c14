#pragma once
#include <CLI/CLI.hpp>

namespace hvsim {
// `hvsim io measure`: real exit and ring costs on /dev/kvm beside the model (src/kvm/).
void register_io_measure_command(CLI::App& io);
}  // namespace hvsim
