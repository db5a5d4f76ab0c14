// Drives a Cluster through a VM trace: real-time replay (arrivals at their start, departures at
// their end, departures first at equal times), arrival-only (no VM leaves), or steady state
// (VMs drawn from the trace with their sizes and lifetimes, Poisson arrivals at the rate that
// offers a target memory load; the load actually reached is reported). Samples load and
// fragmentation at evenly spaced times. The steady state first warms up for the longest lifetime:
// an infinite-server queue is exactly stationary from then on, so the counts that follow are
// the steady state's.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cluster/cluster.h"

namespace hvsim {

enum class ReplayMode : uint8_t { kReplay, kSteady, kArrival };
ReplayMode parse_replay_mode(const std::string& name);  // throws InputError
const char* replay_mode_name(ReplayMode m);

struct ReplayOptions {
  ReplayMode mode = ReplayMode::kReplay;
  double target_load = 0.9;  // steady state: offered memory load
  uint64_t steady_vms = 0;   // steady state: arrivals counted after the warm-up (0: as many as the trace has)
  bool keep_segments = false;
  // Told (done, total) arrivals and departures every kProgressEvery of them, and at the end; the
  // caller decides whether and how often to show it.
  std::function<void(uint64_t, uint64_t)> progress;
  static constexpr uint64_t kProgressEvery = 1 << 14;
};

struct FragSample {
  double time = 0;  // seconds (arrival index in arrival-only mode)
  double load = 0, fragmentation = 0;
  uint32_t running = 0;
};

struct VmOutcome {  // what each arrival got, kept with keep_segments
  int32_t host = -1;
  std::vector<Extent> segments;
};

struct ReplayResult {
  ClusterCounts counts;
  std::vector<FragSample> samples;
  double mean_load = 0;          // time-weighted; steady state: over the second half of the arrivals
  double offered_load = 0;       // steady state only
  uint64_t warmup_arrivals = 0;  // steady state: arrivals before counting started
  uint64_t usable_bytes = 0;
  size_t hosts = 0;
  std::vector<VmOutcome> outcomes;
};

ReplayResult replay(const VmTrace& trace, const std::vector<HostSpec>& hosts, const ClusterConfig& config,
                    AllocatorKind allocator, PlacementPolicy policy, const ReplayOptions& options);

}  // namespace hvsim
