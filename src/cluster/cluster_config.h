// [cluster]: how hosts' memory is laid out and how VMs are given segments (hvsim cluster). Every
// modelling choice the (No)Compromis abstract leaves open is a key here, documented with its
// default (docs/cluster.md).
#pragma once
#include <cstdint>

#include "mem/segment_split.h"

namespace hvsim {

struct ClusterConfig {
  // VM memory is placed in granules of 2 MiB: the huge page a segment-backing hypervisor would
  // use, so one pinned 4 KiB page spoils its whole granule.
  uint64_t granule = uint64_t{2} << 20;
  uint32_t segments = 4;  // segment registers per VM: the most extents a VM may be split into
  SplitOrder split = SplitOrder::kLargestFirst;
  uint64_t hypervisor_memory = uint64_t{1} << 30;  // the host's own memory at the bottom of RAM
  // The x86 MMIO hole below 4 GiB (RAM there is remapped above 4 GiB): 1 GiB, 0xC0000000 to
  // 4 GiB, the common PCI hole of server firmware.
  uint64_t pci_hole = uint64_t{1} << 30;
  uint64_t pool = 0;  // top of RAM reserved at boot (1 GiB hugetlb / CMA): no unmovable page lands there
  uint64_t unmovable_spacing = 0;  // one pinned granule every this many bytes of RAM (0: none)
  double unmovable_per_gib = 0;    // pinned granules per GiB at seeded random places
  uint64_t seed = 1;
  bool honour_cpu_gpu = true;  // CPU and GPU capacities constrain placement when the input has them
  uint32_t samples = 24;       // fragmentation samples over the run
};

}  // namespace hvsim
