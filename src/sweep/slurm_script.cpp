#include "sweep/slurm_script.h"

#include <fmt/format.h>

#include <cctype>

#include "common/invocation.h"

namespace hvsim {

std::string render_slurm_script(const SlurmScript& s) {
  // #SBATCH lines are not expanded by a shell, so the job name keeps to safe characters.
  std::string name;
  for (char c : s.name) name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  std::string out = "#!/bin/bash\n";
  out += fmt::format("#SBATCH --job-name=hvsim-{}\n", name);
  out += fmt::format("#SBATCH --array=0-{}\n", s.tasks - 1);
  if (!s.partition.empty()) out += fmt::format("#SBATCH --partition={}\n", s.partition);
  out += fmt::format("#SBATCH --output={}/slurm-%A_%a.out\n", s.dir);
  out += fmt::format(
      "# Each task runs one shard of the sweep's passes; finished points are skipped, so a task that\n"
      "# is requeued or resubmitted picks up where it stopped. When all are done:\n"
      "#   {} sweep --merge {}\n",
      shell_quote(s.hvsim), shell_quote(s.dir));
  out += "set -euo pipefail\n";
  out += fmt::format(
      "exec {} sweep {} --out {} --shard \"${{SLURM_ARRAY_TASK_ID}}/${{SLURM_ARRAY_TASK_COUNT}}\"\n",
      shell_quote(s.hvsim), shell_quote(s.experiment), shell_quote(s.dir));
  return out;
}

}  // namespace hvsim
