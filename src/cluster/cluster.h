// A cluster of hosts whose memory is an address range: VMs arrive and are given a host and one
// or more segments there by a placement policy and an allocator, or fail with a reason; they
// depart and give their memory back. Counts what the `hvsim cluster` table reports.
#pragma once
#include <cstdint>
#include <vector>

#include "cluster/cluster_config.h"
#include "cluster/host_index.h"
#include "cluster/placement_policy.h"
#include "common/random.h"

namespace hvsim {

enum class FailReason : uint8_t { kTooLarge, kNoCapacity, kFragmented, kCount };
const char* fail_reason_name(FailReason r);  // "too_large", "no_capacity", "fragmented"

struct Placement {
  int32_t host = -1;  // -1: not placed (or departed)
  std::vector<Extent> segments;
};

struct ClusterCounts {
  uint64_t arrivals = 0, placed = 0, single_segment = 0, migrations = 0;
  uint64_t failed[static_cast<int>(FailReason::kCount)] = {};
  // [k]: placed VMs that got k segments; the last, [cluster.segments + 1], those that got more
  // extents than segment registers (the rest of their memory paged).
  std::vector<uint64_t> segments_per_vm;
  uint64_t over_budget = 0;
  uint64_t requested_bytes = 0;  // memory asked by the placed VMs
  uint64_t wasted_bytes = 0;     // given beyond it: granule and allocator rounding
  double peak_load = 0;          // largest share of usable memory given to VMs
};

class Cluster {
 public:
  Cluster(const std::vector<HostSpec>& hosts, const ClusterConfig& config, AllocatorKind allocator,
          PlacementPolicy policy);

  // Places VM `id` (ids are dense, from 0); false when it failed (counted by reason).
  bool arrive(uint32_t id, const VmRequest& vm);
  void depart(uint32_t id);  // no effect on a VM that was not placed

  const ClusterCounts& counts() const { return counts_; }
  // Starts counting afresh (after a warm-up); the VMs running stay.
  void reset_counts();
  const Placement& placement(uint32_t id) const { return placements_.at(id); }
  const std::vector<Host>& hosts() const { return hosts_; }
  double load() const;           // memory given to VMs / usable memory
  double fragmentation() const;  // 1 - sum of largest holes / sum of free memory
  uint64_t granule() const { return config_.granule; }
  uint64_t usable_units() const { return usable_units_; }
  uint32_t running() const { return running_; }

 private:
  struct Need {
    uint64_t units, cpu, gpu;
  };
  int64_t pick(HostKey key, const Need& n, int64_t exclude);
  bool try_migration(uint32_t id, const Need& n);
  void commit(uint32_t id, uint32_t host, std::vector<Extent> segs, const Need& n);
  Need need_of(const VmRequest& vm) const;

  ClusterConfig config_;
  PlacementPolicy policy_;
  std::vector<Host> hosts_;
  HostIndex index_;
  std::vector<Placement> placements_;
  std::vector<Need> needs_;
  ClusterCounts counts_;
  Rng rng_;
  uint64_t usable_units_ = 0, given_units_ = 0, max_units_ = 0, max_cpu_ = 0, max_gpu_ = 0;
  bool use_cpu_gpu_ = false;
  uint32_t running_ = 0;
};

}  // namespace hvsim
