// An experiment file (docs/sweep.md): the workloads or traces, the profile, fixed settings, the
// axes of the grid, the schemes and the run lengths. Read once, checked whole before anything
// runs; every error names the file, the line and the key.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvsim {

// A profile key and its value as text, with where it was given ("exp.toml:7").
struct Assignment {
  std::string key, value, where;
};

// One axis of the grid: a profile key and the values it takes, in the file's order.
struct Axis {
  std::string key;
  std::vector<std::string> values;
  std::string where;
};

struct ExperimentFile {
  std::string path;  // as given
  std::string name;  // [experiment] name, default: the file's stem
  std::vector<std::string> workloads;
  std::vector<std::string> traces;  // resolved against the file's folder
  std::vector<std::string> schemes;
  std::string profile = "default";  // a built-in name or a path (resolved like traces)
  uint64_t accesses = 1'000'000, warmup = 0, footprint = uint64_t{1} << 30;
  std::vector<uint64_t> seeds = {1};
  std::vector<Assignment> set;
  std::vector<Axis> axes;
};

// Experiment files are small; a larger one (or a device that never ends) is refused.
inline constexpr uint64_t kMaxExperimentBytes = uint64_t{1} << 20;
// A grid larger than this is a typo in a range, not an experiment.
inline constexpr uint64_t kMaxSweepPoints = 100'000;

// Reads and checks the file's shape (keys, types, ranges of the grid); profile keys are checked
// when the plan applies them.
ExperimentFile read_experiment_file(const std::string& path);

}  // namespace hvsim
