// One host: its RAM as an address range of granules with the reserved regions and pinned pages
// that break contiguity on real machines (the hypervisor's memory, the x86 hole below 4 GiB,
// unmovable pages), its CPU and GPU capacity, and the VMs it runs.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "cluster/cluster_config.h"
#include "cluster/vm_trace.h"
#include "mem/segment_allocator.h"

namespace hvsim {

struct Host {
  HostSpec spec;
  uint64_t cpu_used = 0, gpu_used = 0;
  uint64_t usable_units = 0;  // free after the reserved regions and pinned pages were taken
  uint64_t pinned_units = 0;
  // The largest VM the host could hold in one segment if it ran nothing: moving VMs away can
  // never open a larger hole.
  uint64_t empty_largest = 0;
  std::unique_ptr<SegmentAllocator> alloc;
  std::vector<uint32_t> vms;  // ids of the VMs it runs

  bool fits_cpu_gpu(uint64_t cpu, uint64_t gpu) const {
    return (spec.cpu_milli == 0 || cpu_used + cpu <= spec.cpu_milli) &&
           (spec.gpu_milli == 0 ? gpu == 0 : gpu_used + gpu <= spec.gpu_milli);
  }
};

// Lays out host `index` (seeds its random pinned pages) as `config` says.
Host make_host(const HostSpec& spec, const ClusterConfig& config, AllocatorKind kind, uint64_t index);

}  // namespace hvsim
