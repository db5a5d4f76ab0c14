// Running a sweep: each pass simulates its stream once for the points of it not yet finished
// and writes their files. Serially, one shard of the passes (--shard i/N, Slurm arrays), or
// handed out by rank 0 when mpirun started several ranks.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "sweep/sweep_plan.h"

namespace hvsim {

struct SweepOptions {
  std::string dir;
  unsigned shard = 0, shards = 1;  // this process runs the passes with index % shards == shard
  bool tty = false;                // a progress line instead of one log line per point
};

// The cores this process may run on (its affinity mask, as mpirun or Slurm set it).
unsigned cores_available();

// Simulates pass `pass` for its points without a file in `dir`, with `threads` scheme threads,
// and writes theirs. Returns the points written (none if all were finished).
std::vector<size_t> run_pass(const SweepPlan& plan, size_t pass, const std::string& dir, unsigned threads);

// The passes this process would run, those with an unfinished point.
std::vector<size_t> passes_to_run(const SweepPlan& plan, const SweepOptions& options);

// Runs the sweep as the options and the launch (mpirun or not) say; prints a summary on stdout
// and progress on stderr; rebuilds results.csv unless it ran one shard of several.
void run_sweep(const SweepPlan& plan, const SweepOptions& options);

}  // namespace hvsim
