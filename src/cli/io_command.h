#pragma once
#include <CLI/CLI.hpp>

namespace hvsim {
// `hvsim io`: the paravirtual I/O model, one table per notification policy (docs/io.md).
void register_io_command(CLI::App& app);
}  // namespace hvsim
