#include "cluster/host.h"

#include <cmath>

#include "common/random.h"

namespace hvsim {

Host make_host(const HostSpec& spec, const ClusterConfig& c, AllocatorKind kind, uint64_t index) {
  Host h;
  h.spec = spec;
  const uint64_t ram = spec.memory_mib << 20, four_g = uint64_t{4} << 30;
  // RAM that would sit in the MMIO hole is remapped above 4 GiB: the address range grows by it.
  const bool hole = c.pci_hole > 0 && c.pci_hole <= four_g && ram > four_g - c.pci_hole;
  const uint64_t span = ram + (hole ? c.pci_hole : 0);
  const uint64_t units = span / c.granule;
  h.alloc = make_segment_allocator(kind, units, std::max<uint64_t>((uint64_t{1} << 30) / c.granule, 1));
  auto take_bytes = [&](uint64_t from, uint64_t to) {  // [from, to) in bytes, widened to granules
    const uint64_t a = from / c.granule, b = std::min(units, (to + c.granule - 1) / c.granule);
    if (a < b) h.alloc->take({a, b - a});
  };
  take_bytes(0, std::min(c.hypervisor_memory, span));
  if (hole) take_bytes(four_g - c.pci_hole, four_g);
  const uint64_t pool_start = units - std::min(units, c.pool / c.granule);
  const uint64_t before_pins = h.alloc->free_units();
  auto pin = [&](uint64_t unit) {
    if (unit < pool_start) h.alloc->take({unit, 1});  // false when already reserved: no double count
  };
  if (c.unmovable_spacing > 0)
    for (uint64_t at = c.unmovable_spacing; at < span; at += c.unmovable_spacing) pin(at / c.granule);
  if (c.unmovable_per_gib > 0 && pool_start > 0) {
    Rng rng(c.seed * 0x9E3779B97F4A7C15ull + index);
    const double gib = static_cast<double>(pool_start * c.granule) / static_cast<double>(uint64_t{1} << 30);
    const auto count = static_cast<uint64_t>(std::llround(gib * c.unmovable_per_gib));
    for (uint64_t i = 0; i < count; ++i) pin(rng.below(pool_start));
  }
  h.pinned_units = before_pins - h.alloc->free_units();
  h.usable_units = h.alloc->free_units();
  h.empty_largest = h.alloc->largest_allocatable();
  return h;
}

}  // namespace hvsim
