#pragma once
#include <CLI/CLI.hpp>

namespace hvsim {
// `hvsim cluster`: VM placement and single-segment provisioning over a VM trace (docs/cluster.md).
void register_cluster_command(CLI::App& app);
}  // namespace hvsim
