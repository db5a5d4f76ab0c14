#include "hv/hypervisor.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "common/units.h"

namespace hvsim {

std::optional<uint64_t> HostTablePool::allocate_block(int order) {
  for (Chunk& c : chunks)
    if (auto f = c.frames->allocate(order)) return f;
  return std::nullopt;
}

uint64_t HostTablePool::allocate() {
  if (auto f = allocate_block(0)) return *f;
  throw SimulationError("a scheme's host table pool is exhausted; raise host.memory");
}

void HostTablePool::free(uint64_t frame) {
  memory->release(frame);
  for (Chunk& c : chunks)
    if (frame - c.first < (uint64_t{1} << kPoolChunkOrder)) return c.frames->free(frame, 0);
}

Hypervisor::Hypervisor(const HostConfig& cfg, const PagingConfig& paging, uint64_t guest_memory_bytes,
                       uint64_t host_memory_bytes)
    : cfg_(cfg), host_memory_bytes_(host_memory_bytes), frames_(0, host_memory_bytes >> 12) {
  ept_ = std::make_unique<EptTable>(host_tables_, paging.host_levels, allocate_frames(0, "EPT root"));
  if (cfg.segment_backing) reserve_segments(guest_memory_bytes);
  if (cfg.populate_eager) populate(GuestPhysAddr(0), guest_memory_bytes);
}

uint64_t Hypervisor::allocate_frames(int order, const char* what) {
  auto f = frames_.allocate(order);
  if (!f)
    throw SimulationError(fmt::format("host memory ({}) exhausted allocating a {}; raise host.memory",
                                      format_size(host_memory_bytes_), what));
  return *f;
}

// Segments are reserved at VM start, as (No)Compromis's hypervisor does. Their EPT entries are
// still written lazily by populate(), only so that simulator memory follows the footprint; no
// EPT violation is reported for them (the memory was there from the start).
void Hypervisor::reserve_segments(uint64_t guest_memory_bytes) {
  const uint64_t hpage = page_bytes(cfg_.page_size);
  std::vector<uint64_t> sizes = cfg_.segments.sizes;
  if (sizes.empty()) {
    // Equal shares, rounded down to whole host pages so no host page straddles two backings.
    uint64_t share = guest_memory_bytes / cfg_.segments.count / hpage * hpage;
    if (share == 0)
      throw InputError(
          fmt::format("host.segments: {} segments of {} guest memory are smaller than a host page",
                      cfg_.segments.count, format_size(guest_memory_bytes)));
    sizes.assign(cfg_.segments.count, share);
    sizes.back() = (guest_memory_bytes - share * (sizes.size() - 1)) / hpage * hpage;
  }
  uint64_t guest_base = 0;
  // A block held between segments keeps them apart in host memory, so each has its own offset
  // (as separately found free ranges would); the guards are released at the end.
  std::vector<std::pair<uint64_t, int>> guards;
  int last_order = -1;
  for (uint64_t bytes : sizes) {
    if (last_order >= 0)
      if (auto g = frames_.allocate(last_order)) guards.emplace_back(*g, last_order);
    if (bytes % hpage != 0)
      throw InputError(
          fmt::format("host.segments: a segment of {} is not a multiple of the host page size ({})",
                      format_size(bytes), format_size(hpage)));
    bytes = std::min(bytes, guest_memory_bytes - std::min(guest_base, guest_memory_bytes)) / hpage * hpage;
    if (bytes == 0) break;
    // One naturally aligned block up to 1 GiB; above that, consecutive 1 GiB blocks.
    uint64_t frames = bytes >> 12;
    int order = 0;
    while (order < BuddyAllocator::kMaxOrder && (uint64_t{1} << order) < frames) ++order;
    uint64_t blocks = (frames + (uint64_t{1} << order) - 1) >> order;
    uint64_t first = 0;
    for (uint64_t i = 0; i < blocks; ++i) {
      uint64_t f = allocate_frames(order, "host segment");
      if (i == 0)
        first = f;
      else if (f != first + (i << order))
        throw SimulationError("host memory too fragmented for the host segments; raise host.memory");
    }
    segments_.push_back({guest_base, bytes, first << 12});
    guest_base += bytes;
    last_order = order;
  }
  for (auto [frame, order] : guards) frames_.free(frame, order);
}

PopulateEffect Hypervisor::populate(GuestPhysAddr start, uint64_t length) {
  PopulateEffect fx;
  const PageSize hsize = cfg_.page_size;
  const unsigned shift = page_shift(hsize);
  auto alloc_table = [&] {
    ++fx.tables_allocated;
    return allocate_frames(0, "EPT table page");
  };
  for (uint64_t a = start.align_down(shift).value; a < start.value + length; a += page_bytes(hsize)) {
    GuestPhysAddr gpa(a);
    if (ept_->translate(gpa)) continue;
    if (const HostSegment* seg = segment_of(a, page_bytes(hsize))) {
      ept_->map(gpa, HostPhysAddr(seg->translate(a)), hsize, true,
                [&] { return allocate_frames(0, "EPT table page"); });
      continue;
    }
    uint64_t frame = allocate_frames(9 * static_cast<int>(hsize), "guest memory backing page");
    ept_->map(gpa, HostPhysAddr(frame << 12), hsize, true, alloc_table);
    ++fx.pages;
  }
  return fx;
}

const HostSegment* Hypervisor::segment_of(uint64_t gpa, uint64_t length) const {
  for (const HostSegment& seg : segments_)
    if (seg.contains(gpa, length)) return &seg;
  return nullptr;
}

HostTablePool Hypervisor::make_pool(uint64_t bytes) {
  HostTablePool pool;
  const uint64_t chunks = (bytes + page_bytes(PageSize::k1G) - 1) >> 30;
  for (uint64_t i = 0; i < chunks; ++i) {
    uint64_t f = allocate_frames(kPoolChunkOrder, "scheme table pool");
    pool.chunks.push_back({f, std::make_unique<BuddyAllocator>(f, uint64_t{1} << kPoolChunkOrder)});
  }
  pool.memory = std::make_unique<TableMemory>();
  return pool;
}

}  // namespace hvsim
