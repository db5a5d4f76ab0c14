// The grid of an experiment as points, and the passes that simulate them. A point is one
// configuration run through every scheme of the experiment; it is named by a hash of its
// canonical configuration. Points are grouped so each stream is simulated as few times as the
// keys allow:
//   costs.*                          priced from the counts of another point (no simulation),
//                                    unless a scheme's decisions read that cost;
//   TLB, page-walk-cache, cache and  separate scheme instances in one Simulation, fed the same
//   core geometry, scheme keys       batches as the pass's other points;
//   anything else (paging depths,    a pass of its own: the machine or the stream differs.
//   guest, host, workload keys)
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/profile.h"
#include "sweep/experiment_file.h"

namespace hvsim {

enum class KeyRole { kCost, kInstance, kLayout };
KeyRole key_role(const std::string& key);

struct SweepPoint {
  size_t job = 0;  // index into SweepPlan::jobs
  uint64_t seed = 0;
  std::vector<std::string> values;   // per axis, as canonical text
  std::string canonical;             // every setting that defines it, one "key=value" a line
  std::string hash;                  // 16 hex digits of the canonical text
  std::unique_ptr<Profile> profile;  // the base profile with [set] and this point's values
};

// One scheme instance of a pass, built from the profile of `point`.
struct PassUnit {
  std::string scheme;
  size_t point = 0;
};

struct SweepPass {
  std::vector<size_t> points;  // in point order; the first one's profile builds the machine
  std::vector<PassUnit> units;
  // unit_of[k][s]: the unit whose counts give scheme s of points[k].
  std::vector<std::vector<size_t>> unit_of;
};

// A workload generator or a trace file: what a point's stream comes from.
struct SweepJob {
  std::string name;   // gups, or the trace's file name
  std::string trace;  // path; empty for a generator
};

struct SweepPlan {
  ExperimentFile experiment;
  std::string canonical;  // the whole experiment, for noticing a changed file
  std::vector<SweepJob> jobs;
  std::vector<SweepPoint> points;
  std::vector<SweepPass> passes;
  size_t units = 0;                // scheme instances simulated over all passes
  std::vector<std::string> notes;  // settings the plan derived, one line each
};

// Applies every setting of every point (errors name the file, line and key), validates each
// point's profile and configuration, and groups the points into passes.
SweepPlan plan_sweep(ExperimentFile experiment);

// "workload=gups seed=1 tlb.l2_entries=512": a point as the log and messages name it.
std::string describe_point(const SweepPlan& plan, const SweepPoint& p);

// 64-bit FNV-1a of `text` as 16 hex digits.
std::string text_hash(const std::string& text);

}  // namespace hvsim
