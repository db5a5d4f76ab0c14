#include "sweep/sweep_run.h"

#include <fmt/format.h>
#include <sched.h>

#include <chrono>
#include <limits>

#include "common/error.h"
#include "common/memory_budget.h"
#include "sim/experiment.h"
#include "sweep/sweep_mpi.h"
#include "sweep/sweep_store.h"
#include "workload/generator.h"
#include "workload/trace/open_trace.h"

namespace hvsim {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<EventSource> open_stream(const SweepPlan& plan, const SweepPoint& point) {
  const SweepJob& job = plan.jobs[point.job];
  if (!job.trace.empty()) return open_trace_read_ahead(job.trace, "");
  WorkloadParams params;
  params.footprint = plan.experiment.footprint;
  params.accesses = plan.experiment.accesses + plan.experiment.warmup;
  params.seed = point.seed;
  params.options = point.profile->section<WorkloadSettings>().options;
  return WorkloadRegistry::instance().find(job.name)->factory(params);
}

std::string clock_text(double seconds) {
  const auto s = static_cast<uint64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

// Points done / total, passes, elapsed and ETA on a terminal; a line per point otherwise.
class SweepProgress {
 public:
  SweepProgress(const SweepPlan& plan, size_t points, size_t passes, bool tty)
      : plan_(plan), points_(points), passes_(passes), tty_(tty), t0_(Clock::now()) {}
  void pass_done(const std::vector<size_t>& points) {
    ++passes_done_;
    for (size_t i : points) {
      ++done_;
      if (!tty_)
        fmt::print(stderr, "[{}/{}] {} {} (pass {}/{}, {:.1f}s)\n", done_, points_, plan_.points[i].hash,
                   describe_point(plan_, plan_.points[i]), passes_done_, passes_, elapsed());
    }
    if (tty_) {
      const double eta = elapsed() / static_cast<double>(done_) * static_cast<double>(points_ - done_);
      fmt::print(stderr, "\rsweep: {}/{} points, {}/{} passes, {} elapsed, ETA {}   ", done_, points_,
                 passes_done_, passes_, clock_text(elapsed()), clock_text(eta));
      if (done_ == points_) fmt::print(stderr, "\n");
    }
  }
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }

 private:
  const SweepPlan& plan_;
  size_t points_, passes_, done_ = 0, passes_done_ = 0;
  bool tty_;
  Clock::time_point t0_;
};

// The unfinished points of a pass, as positions in it.
std::vector<size_t> unfinished(const SweepPlan& plan, const SweepPass& pass, const std::string& dir) {
  std::vector<size_t> out;
  for (size_t k = 0; k < pass.points.size(); ++k)
    if (!point_done(dir, plan.points[pass.points[k]].hash)) out.push_back(k);
  return out;
}

// One point's report from the pass's: its schemes' counts, priced with its own costs.
RunReport point_report(const RunReport& pass_run, const std::vector<size_t>& units, const SweepPlan& plan,
                       const SweepPoint& point) {
  RunReport r = pass_run;
  r.schemes.clear();
  for (size_t u : units) {
    r.schemes.push_back(pass_run.schemes[u]);
    r.schemes.back().stats.price(point.profile->costs);
  }
  const SweepJob& job = plan.jobs[point.job];
  r.workload = job.name;
  r.footprint = job.trace.empty() ? plan.experiment.footprint : 0;
  r.seed = job.trace.empty() ? point.seed : 0;
  return r;
}

}  // namespace

unsigned cores_available() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

std::vector<size_t> run_pass(const SweepPlan& plan, size_t pass_index, const std::string& dir,
                             unsigned threads) {
  const SweepPass& pass = plan.passes[pass_index];
  const std::vector<size_t> todo = unfinished(plan, pass, dir);
  if (todo.empty()) return {};
  // Only the scheme instances the unfinished points need, each once.
  constexpr size_t kUnused = std::numeric_limits<size_t>::max();
  std::vector<size_t> slot(pass.units.size(), kUnused);
  std::vector<SchemeUnit> units;
  for (size_t k : todo)
    for (size_t u : pass.unit_of[k])
      if (slot[u] == kUnused) {
        slot[u] = units.size();
        units.push_back({pass.units[u].scheme, plan.points[pass.units[u].point].profile.get()});
      }
  const SweepPoint& first = plan.points[pass.points[todo.front()]];
  ExperimentOptions options;
  options.threads = threads;
  options.warmup_accesses = plan.experiment.warmup;
  options.footprint_hint = plan.jobs[first.job].trace.empty() ? plan.experiment.footprint : 0;
  auto source = open_stream(plan, first);
  MemoryBudget::instance().begin_run(describe_point(plan, first));
  const RunReport run = run_experiment(*source, *first.profile, units, options);
  MemoryBudget::instance().end_run();
  std::vector<size_t> written;
  for (size_t k : todo) {
    std::vector<size_t> of;
    for (size_t u : pass.unit_of[k]) of.push_back(slot[u]);
    const SweepPoint& point = plan.points[pass.points[k]];
    write_point(dir, plan, point, point_report(run, of, plan, point), *point.profile);
    written.push_back(pass.points[k]);
  }
  return written;
}

std::vector<size_t> passes_to_run(const SweepPlan& plan, const SweepOptions& options) {
  std::vector<size_t> out;
  for (size_t i = options.shard; i < plan.passes.size(); i += options.shards)
    if (!unfinished(plan, plan.passes[i], options.dir).empty()) out.push_back(i);
  return out;
}

void run_sweep(const SweepPlan& plan, const SweepOptions& options) {
  const bool mpi = launched_by_mpirun();
  const std::vector<size_t> passes = passes_to_run(plan, options);
  size_t todo = 0;
  for (size_t p : passes) todo += unfinished(plan, plan.passes[p], options.dir).size();
  SweepProgress progress(plan, todo, passes.size(), options.tty);
  const unsigned threads = cores_available();
  auto log_start = [&] {
    fmt::print(
        "sweep {}: {} points in {} passes ({} scheme instances simulated for {} point x scheme results)\n",
        plan.experiment.name, plan.points.size(), plan.passes.size(), plan.units,
        plan.points.size() * plan.experiment.schemes.size());
    fmt::print("{}{} points to run in {} passes{}\n",
               options.shards > 1 ? fmt::format("shard {}/{}: ", options.shard, options.shards) : "", todo,
               passes.size(), mpi ? " (MPI)" : "");
    std::fflush(stdout);
  };
  if (talking_rank()) log_start();
  if (mpi) {
    // Only rank 0 talks; the others run the passes they are handed.
    std::vector<std::vector<size_t>> pending(plan.passes.size());
    for (size_t p : passes) pending[p] = unfinished(plan, plan.passes[p], options.dir);
    if (!mpi_dispatch(
            passes, [&](size_t p) { run_pass(plan, p, options.dir, threads); },
            [&](size_t p) {
              std::vector<size_t> points;
              for (size_t k : pending[p]) points.push_back(plan.passes[p].points[k]);
              progress.pass_done(points);
            }))
      return;
  } else {
    for (size_t p : passes) progress.pass_done(run_pass(plan, p, options.dir, threads));
  }
  if (options.shards > 1) {
    fmt::print("shard {}/{} finished in {:.1f}s; `hvsim sweep --merge {}` gathers results.csv\n",
               options.shard, options.shards, progress.elapsed(), options.dir);
    return;
  }
  const SweepResults r = write_results(options.dir);
  fmt::print("ran {} passes in {:.1f}s; {}/results.csv: {} of {} points\n", passes.size(), progress.elapsed(),
             options.dir, r.points - r.missing.size(), r.points);
}

}  // namespace hvsim
