#include "cluster/cluster_config.h"

#include <bit>

#include "common/config_registry.h"
#include "common/error.h"

namespace hvsim {

HVSIM_CONFIG_SECTION(ClusterConfig, "cluster", 900, "hvsim cluster: host memory layout and VM segments") {
  s.size("granule", &ClusterConfig::granule, false)
      .doc(
          "unit of VM memory placement: a power of two from 4KiB to 1GiB (a pinned page spoils its granule)");
  s.integer("segments", &ClusterConfig::segments, 1, 64)
      .unit("segments")
      .doc("segment registers per VM: the most host extents one VM's memory may be split into");
  s.choice("split", &ClusterConfig::split,
           std::vector<std::pair<std::string, SplitOrder>>{{"largest", SplitOrder::kLargestFirst},
                                                           {"address", SplitOrder::kAddressOrder},
                                                           {"refuse", SplitOrder::kRefuse}})
      .doc("when no hole holds a VM: split largest hole first, in address order, or refuse the host");
  s.size("hypervisor_memory", &ClusterConfig::hypervisor_memory, true)
      .doc("the host's own memory, reserved at the bottom of RAM");
  s.size("pci_hole", &ClusterConfig::pci_hole, true)
      .doc("the x86 MMIO hole ending at 4GiB (RAM above it is remapped past 4GiB); 0 for none");
  s.size("pool", &ClusterConfig::pool, true)
      .doc("top of RAM reserved at boot (a 1GiB hugetlb/CMA pool): unmovable pages never land there");
  s.size("unmovable_spacing", &ClusterConfig::unmovable_spacing, true)
      .doc("one pinned (unmovable) granule every this many bytes of RAM outside the pool; 0 for none");
  s.number("unmovable_per_gib", &ClusterConfig::unmovable_per_gib, 0.0, 512.0)
      .unit("granules/GiB")
      .doc("pinned granules per GiB of RAM outside the pool, at seeded random places");
  s.integer("seed", &ClusterConfig::seed, 0, ~uint64_t{0})
      .doc("seed of random unmovable pages, random placement, steady-state arrivals");
  s.flag("honour_cpu_gpu", &ClusterConfig::honour_cpu_gpu)
      .doc("CPU and GPU capacities constrain placement when both lists give them");
  s.integer("samples", &ClusterConfig::samples, 1, 4096).doc("fragmentation samples over the run");
  s.check([](const ClusterConfig& c) {
    if (!std::has_single_bit(c.granule) || c.granule < 4096 || c.granule > (uint64_t{1} << 30))
      throw InputError("cluster.granule: expected a power of two from 4KiB to 1GiB");
    if (c.pci_hole > (uint64_t{4} << 30))
      throw InputError("cluster.pci_hole: expected at most 4GiB (it ends at 4GiB)");
  });
}

}  // namespace hvsim
