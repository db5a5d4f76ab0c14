#include "cli/sweep_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "common/error.h"
#include "common/invocation.h"
#include "common/units.h"
#include "report/atomic_file.h"
#include "sweep/experiment_file.h"
#include "sweep/slurm_script.h"
#include "sweep/sweep_mpi.h"
#include "sweep/sweep_plan.h"
#include "sweep/sweep_run.h"
#include "sweep/sweep_store.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

struct SweepArgs {
  std::string experiment, out, shard, merge, partition;
  bool slurm = false;
  size_t array_size = 0;
  bool array_given = false, partition_given = false;
};

// "i/N" with 0 <= i < N: the shard of the passes this process runs.
std::pair<unsigned, unsigned> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  uint64_t i = 0, n = 0;
  if (slash == std::string::npos || !parse_decimal_u64(text.substr(0, slash), i) ||
      !parse_decimal_u64(text.substr(slash + 1), n) || n == 0 || i >= n || n > 1'000'000)
    throw InputError(fmt::format("--shard '{}': expected i/N with 0 <= i < N, e.g. --shard 0/4", text));
  return {static_cast<unsigned>(i), static_cast<unsigned>(n)};
}

void print_results(const std::string& dir, const SweepResults& r) {
  fmt::print("{}/results.csv: {} of {} points\n", dir, r.points - r.missing.size(), r.points);
  if (!r.missing.empty()) fmt::print("missing {} points:\n", r.missing.size());
  for (const auto& m : r.missing) fmt::print("  {}\n", m);
  if (!r.stale.empty())
    fmt::print("{} point files belong to no point of the experiment (left out):\n", r.stale.size());
  for (const auto& s : r.stale) fmt::print("  {}\n", s);
}

void write_slurm(const SweepArgs& a, const SweepPlan& plan) {
  SlurmScript s;
  s.hvsim = fs::read_symlink("/proc/self/exe").string();
  s.experiment = fs::absolute(a.experiment).lexically_normal().string();
  s.dir = fs::absolute(a.out).lexically_normal().string();
  s.name = plan.experiment.name;
  s.tasks =
      std::max<size_t>(1, std::min(a.array_given ? a.array_size : plan.passes.size(), plan.passes.size()));
  s.partition = a.partition;
  const std::string file = (fs::path(a.out) / "sweep.sbatch").string();
  write_output_file({"--slurm", file}, render_slurm_script(s));
  fmt::print(
      "sweep {}: {} points in {} passes; wrote {} ({} array tasks)\nsubmit it with: sbatch {}\nthen: hvsim "
      "sweep --merge {}\n",
      plan.experiment.name, plan.points.size(), plan.passes.size(), file, s.tasks, shell_quote(file),
      shell_quote(a.out));
}

void run_sweep_command(const SweepArgs& a) {
  if (!a.merge.empty()) {
    if (!a.experiment.empty() || !a.out.empty() || !a.shard.empty() || a.slurm)
      throw InputError("--merge DIR takes no experiment, --out, --shard or --slurm");
    print_results(a.merge, write_results(a.merge));
    return;
  }
  if (a.experiment.empty()) throw InputError("sweep: expected an experiment file (EXP.toml) or --merge DIR");
  if (a.out.empty()) throw InputError("--out: expected the folder for the sweep's results");
  if (!a.slurm && (a.array_given || a.partition_given))
    throw InputError("--array-size and --partition go with --slurm");
  if (a.slurm && !a.shard.empty()) throw InputError("--slurm and --shard exclude each other");
  if (a.array_given && a.array_size == 0) throw InputError("--array-size: expected at least 1");
  SweepOptions options;
  options.dir = a.out;
  if (!a.shard.empty()) std::tie(options.shard, options.shards) = parse_shard(a.shard);
  // Everything is checked before the folder is touched: a bad experiment leaves nothing behind.
  check_sweep_dir(a.out);
  const SweepPlan plan = plan_sweep(read_experiment_file(a.experiment));
  if (talking_rank())
    for (const auto& note : plan.notes) fmt::print(stderr, "note: {}\n", note);
  if (talking_rank())
    for (const auto& change : prepare_sweep_dir(a.out, plan)) fmt::print(stderr, "{}\n", change);
  else
    fs::create_directories(fs::path(a.out) / "points");
  if (a.slurm) return write_slurm(a, plan);
  options.tty = ::isatty(2);
  run_sweep(plan, options);
}

}  // namespace

void register_sweep_command(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  auto* cmd =
      app.add_subcommand("sweep", "Run every point of an experiment's grid, resumably (docs/sweep.md)");
  cmd->footer(
      "Runs each point of the grid an experiment file describes (workloads x axes x seeds) through its "
      "schemes,\n"
      "simulating each stream once for all points that differ only in scheme geometry and pricing points "
      "that\n"
      "differ only in costs.* from the same counts. Writes DIR/points/HASH.json per point and "
      "DIR/results.csv.\n"
      "Rerunning skips finished points. Under mpirun, rank 0 hands passes out to the other ranks.\n"
      "Example: hvsim sweep configs/experiments/exit-cost.toml --out runs/exit-cost");
  cmd->add_option("EXP", args->experiment, "The experiment file (TOML, docs/sweep.md)");
  cmd->add_option("-o,--out", args->out, "Folder for the results (created; rerun with it to resume)");
  cmd->add_option("--shard", args->shard, "Run only shard i of N of the passes (0 <= i < N)")
      ->type_name("i/N");
  cmd->add_option("--merge", args->merge,
                  "Rebuild DIR/results.csv from the points there and list missing ones")
      ->type_name("DIR");
  cmd->add_flag("--slurm", args->slurm,
                "Write DIR/sweep.sbatch, a Slurm array job of --shard tasks, and exit");
  cmd->add_option("--array-size", args->array_size, "Array tasks for --slurm (default: one per pass)")
      ->each([args](const std::string&) { args->array_given = true; });
  cmd->add_option("--partition", args->partition, "Slurm partition for --slurm")
      ->each([args](const std::string&) { args->partition_given = true; });
  cmd->callback([args] { run_sweep_command(*args); });
}

}  // namespace hvsim
