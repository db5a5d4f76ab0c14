// A sweep's folder (docs/sweep.md):
//   DIR/sweep.json       the experiment's canonical form and its points (what --merge reads)
//   DIR/points/H.json    one result per finished point, H the hash of its configuration, written
//                        atomically: a file there is always complete
//   DIR/results.csv      one row per point and scheme, rebuilt from the point files
// Point files are named by configuration, so an edited experiment reuses the points it shares
// with the old one; those it no longer has are reported and left out of results.csv.
#pragma once
#include <string>
#include <vector>

#include "report/run_report.h"
#include "sweep/sweep_plan.h"

namespace hvsim {

// Throws InputError unless `dir` can hold a sweep: a new folder in an existing, writable one, an
// empty folder, or one a sweep wrote (it holds sweep.json).
void check_sweep_dir(const std::string& dir);

// Creates the folder, compares the experiment with the one the folder holds and records this
// one. Returns what changed, one line each (nothing for a new or unchanged experiment).
std::vector<std::string> prepare_sweep_dir(const std::string& dir, const SweepPlan& plan);

std::string point_file(const std::string& dir, const std::string& hash);
bool point_done(const std::string& dir, const std::string& hash);

// Writes the point's result, its configuration and axis values beside it, atomically.
void write_point(const std::string& dir, const SweepPlan& plan, const SweepPoint& point, const RunReport& run,
                 const Profile& profile);

struct SweepResults {
  std::string csv;
  size_t points = 0;                 // in the experiment
  std::vector<std::string> missing;  // "HASH gups tlb.l2_entries=512", in point order
  std::vector<std::string> stale;    // point files of no point of the experiment
};

// Reads the folder's record and every point file that exists (bad ones are errors naming them).
SweepResults collect_results(const std::string& dir);
// Rebuilds DIR/results.csv atomically; returns what it found.
SweepResults write_results(const std::string& dir);

}  // namespace hvsim
