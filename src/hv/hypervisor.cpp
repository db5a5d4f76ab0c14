#include "hv/hypervisor.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/units.h"

namespace hvsim {

uint64_t HostTablePool::allocate() {
  auto f = frames->allocate(0);
  if (!f) throw SimulationError("a scheme's host table pool is exhausted; raise host.memory");
  return *f;
}

void HostTablePool::free(uint64_t frame) {
  memory->release(frame);
  frames->free(frame, 0);
}

Hypervisor::Hypervisor(const Profile& profile, uint64_t guest_memory_bytes, uint64_t host_memory_bytes)
    : profile_(profile), host_memory_bytes_(host_memory_bytes), frames_(0, host_memory_bytes >> 12) {
  ept_ = std::make_unique<EptTable>(host_tables_, profile.host_levels, allocate_frames(0, "EPT root"));
  if (profile.host_populate_eager) populate(GuestPhysAddr(0), guest_memory_bytes);
}

uint64_t Hypervisor::allocate_frames(int order, const char* what) {
  auto f = frames_.allocate(order);
  if (!f)
    throw SimulationError(fmt::format("host memory ({}) exhausted allocating a {}; raise host.memory",
                                      format_size(host_memory_bytes_), what));
  return *f;
}

PopulateEffect Hypervisor::populate(GuestPhysAddr start, uint64_t length) {
  PopulateEffect fx;
  const PageSize hsize = profile_.host_page_size;
  const unsigned shift = page_shift(hsize);
  auto alloc_table = [&] {
    ++fx.tables_allocated;
    return allocate_frames(0, "EPT table page");
  };
  for (uint64_t a = start.align_down(shift).value; a < start.value + length; a += page_bytes(hsize)) {
    GuestPhysAddr gpa(a);
    if (ept_->translate(gpa)) continue;
    uint64_t frame = allocate_frames(9 * static_cast<int>(hsize), "guest memory backing page");
    ept_->map(gpa, HostPhysAddr(frame << 12), hsize, true, alloc_table);
    ++fx.pages;
  }
  return fx;
}

HostTablePool Hypervisor::make_pool(uint64_t bytes) {
  uint64_t frames = (bytes + page_bytes(PageSize::k1G) - 1) >> 30 << 18;
  // Take whole 1 GiB blocks so the pool is one aligned range.
  uint64_t first = 0;
  for (uint64_t i = 0; i < frames >> 18; ++i) {
    uint64_t f = allocate_frames(18, "scheme table pool");
    if (i == 0) first = f;
    else if (f != first + (i << 18))
      throw SimulationError("host memory too fragmented for a scheme's table pool; raise host.memory");
  }
  HostTablePool pool;
  pool.frames = std::make_unique<BuddyAllocator>(first, frames);
  pool.memory = std::make_unique<TableMemory>();
  return pool;
}

}  // namespace hvsim
