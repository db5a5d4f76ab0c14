// An sbatch array script for a sweep: each array task runs one shard of the passes
// (`hvsim sweep EXP --out DIR --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`), and
// `hvsim sweep --merge DIR` gathers results.csv once they are done.
#pragma once
#include <cstddef>
#include <string>

namespace hvsim {

struct SlurmScript {
  std::string hvsim;       // absolute path of the program
  std::string experiment;  // absolute paths
  std::string dir;
  std::string name;       // the job's name
  size_t tasks = 1;       // array tasks, at most the number of passes
  std::string partition;  // empty: the cluster's default
};

std::string render_slurm_script(const SlurmScript& s);

}  // namespace hvsim
