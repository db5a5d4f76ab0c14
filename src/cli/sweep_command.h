#pragma once
#include <CLI/CLI.hpp>

namespace hvsim {

// `hvsim sweep EXP.toml --out DIR`: every point of an experiment's grid (docs/sweep.md), serially,
// by shard, under mpirun, or as a Slurm array; `hvsim sweep --merge DIR` gathers results.csv.
void register_sweep_command(CLI::App& app);

}  // namespace hvsim
