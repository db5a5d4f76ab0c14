#include "os/guest_os.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/units.h"

namespace hvsim {

GuestOs::GuestOs(const GuestConfig& cfg, const PagingConfig& paging, uint64_t memory_bytes)
    : cfg_(cfg), levels_(paging.guest_levels), memory_bytes_(memory_bytes), frames_(0, memory_bytes >> 12) {}

AddressSpace& GuestOs::space(uint32_t pid) {
  if (last_space_ && last_space_->pid == pid) return *last_space_;  // consecutive accesses share a pid
  auto it = spaces_.find(pid);
  if (it != spaces_.end()) return *(last_space_ = &it->second);
  AddressSpace& as = spaces_[pid];
  as.pid = pid;
  // PCIDs are 12 bits; 0 is left for the kernel.
  as.pcid = next_pcid_;
  next_pcid_ = static_cast<uint16_t>(next_pcid_ % 4095 + 1);
  uint64_t root = allocate_frames(0, "page-table root");
  as.table = std::make_unique<GuestPageTable>(tables_, levels_, root);
  fresh_roots_.push_back(GuestPhysAddr(root << 12));
  return *(last_space_ = &as);
}

const AddressSpace* GuestOs::find_space(uint32_t pid) const {
  auto it = spaces_.find(pid);
  return it == spaces_.end() ? nullptr : &it->second;
}

// Reserves contiguous guest-physical memory for the primary region. The reservation keeps the
// region's offset modulo its alignment (up to 1 GiB), so huge pages inside it stay aligned.
void GuestOs::reserve_segment(uint32_t pid, uint64_t start, uint64_t length) {
  const uint64_t va_base = start & ~uint64_t{4095};
  const uint64_t va_end = (start + length + 4095) & ~uint64_t{4095};
  if (va_end <= va_base) return;
  const uint64_t bytes = va_end - va_base;
  // Segments are for big primary regions; small ones (an exec'd helper's few pages) would only
  // strand contiguous memory, since a segment's frames stay reserved for the run.
  if (bytes < kMinSegmentBytes) return;
  uint64_t align = 2 * kMiB;
  while (align < bytes && align < kGiB) align <<= 1;
  const uint64_t off = va_base & (align - 1), need = off + bytes;
  int order = 0;
  while (order < BuddyAllocator::kMaxOrder && (uint64_t{4096} << order) < need) ++order;
  const uint64_t block = uint64_t{4096} << order;
  const uint64_t blocks = (need + block - 1) / block;
  if (blocks * block > frames_.free_frames() * 4096 / 2) return;  // leave the rest of the guest room
  uint64_t first = 0, got = 0;
  for (; got < blocks; ++got) {
    auto f = frames_.allocate(order);
    if (!f || (got && *f != first + (got << order))) {
      if (f) frames_.free(*f, order);
      break;
    }
    if (got == 0) first = *f;
  }
  if (got < blocks) {  // no contiguous room: the region is paged as usual
    for (uint64_t i = 0; i < got; ++i) frames_.free(first + (i << order), order);
    return;
  }
  segments_[pid] = GuestSegment{.va_base = va_base,
                                .va_end = va_end,
                                .gpa_base = (first << 12) + off,
                                .first_frame = first,
                                .blocks = blocks,
                                .mappings = 0,
                                .order = order};
}

uint64_t GuestOs::allocate_frames(int order, const char* what) {
  auto f = frames_.allocate(order);
  if (!f)
    throw SimulationError(fmt::format("guest memory ({}) exhausted allocating a {}; raise guest.memory",
                                      format_size(memory_bytes_), what));
  return *f;
}

PageSize GuestOs::choose_size(const AddressSpace& as, GuestVirtAddr va) const {
  switch (cfg_.page_size) {
    case GuestPagePolicy::k4K:
      return PageSize::k4K;
    case GuestPagePolicy::k2M:
      return PageSize::k2M;
    case GuestPagePolicy::k1G:
      return PageSize::k1G;
    case GuestPagePolicy::kThp: {
      // Like Linux THP: a huge page only where the aligned 2 MiB range lies inside one mapping.
      uint64_t base = va.align_down(21).value;
      return as.region_covers(base, base + (2ull << 20)) ? PageSize::k2M : PageSize::k4K;
    }
  }
  return PageSize::k4K;
}

const GuestFault& GuestOs::touch(uint32_t pid, GuestVirtAddr va, bool store, bool allow_cow,
                                 std::vector<GuestPteWrite>& writes) {
  AddressSpace& as = space(pid);
  fault_.kind = FaultKind::kNone;
  fault_.faulted = false;
  fault_.tables_allocated = 0;
  fault_.new_table_pages.clear();
  if (auto t = as.table->translate(va)) {
    if (!store || t->writable) return fault_;
    if (as.is_readonly(va.value)) {
      fault_.kind = FaultKind::kProtection;
      return fault_;
    }
    if (!allow_cow) {
      fault_.kind = FaultKind::kDeferred;
      return fault_;
    }
    break_cow(as, va, *t, writes);
    return fault_;
  }
  fault_.new_table_pages.swap(fresh_roots_);
  fault_.kind = FaultKind::kDemand;

  // A huge page cannot go where smaller pages already have a table (Linux maps a THP only
  // where the PMD is empty).
  PageSize size = as.table->fitting_size(va, choose_size(as, va));
  GuestPhysAddr page;
  auto seg = segments_.empty() ? segments_.end() : segments_.find(pid);
  if (seg != segments_.end() && seg->second.contains(va.value)) {
    // Inside the direct segment the frame is fixed by the segment; a page that does not fit in
    // it (or would be misaligned) is mapped as 4K pieces.
    GuestSegment& g = seg->second;
    uint64_t base = va.align_down(page_shift(size)).value, bytes = page_bytes(size);
    if (base < g.va_base || base + bytes > g.va_end || ((g.gpa_base - g.va_base) & (bytes - 1)) != 0)
      size = PageSize::k4K;
    page = GuestPhysAddr(g.translate(va.align_down(page_shift(size)).value));
    ++g.mappings;
  } else {
    if (seg != segments_.end()) {
      // A page outside the segment must not cover any of it: the segment translates its own
      // range by an add, whatever the table holds there.
      const GuestSegment& g = seg->second;
      while (size != PageSize::k4K) {
        uint64_t base = va.align_down(page_shift(size)).value;
        if (base + page_bytes(size) <= g.va_base || base >= g.va_end) break;
        size = static_cast<PageSize>(static_cast<int>(size) - 1);
      }
    }
    uint64_t frame = allocate_frames(9 * static_cast<int>(size), "data page");
    page = GuestPhysAddr(frame << 12);
  }
  auto alloc_table = [&] {
    uint64_t f = allocate_frames(0, "page-table page");
    fault_.new_table_pages.push_back(GuestPhysAddr(f << 12));
    return f;
  };
  auto fx = as.table->map(va.align_down(page_shift(size)), page, size, true, alloc_table);
  for (int i = 0; i < fx.entries_written; ++i)
    writes.push_back({fx.written[i].entry_addr, fx.written[i].level});
  fault_.faulted = true;
  fault_.page = page;
  fault_.size = size;
  fault_.tables_allocated = fx.tables_allocated;
  return fault_;
}

// The first store to a page shared since fork: copy it, unless this was the last sharer, which
// simply gets write access back (as Linux's do_wp_page reuses an unshared page).
void GuestOs::break_cow(AddressSpace& as, GuestVirtAddr va, const GuestPageTable::Translation& t,
                        std::vector<GuestPteWrite>& writes) {
  const unsigned shift = page_shift(t.size);
  const GuestVirtAddr base = va.align_down(shift);
  const uint64_t frame = t.addr.align_down(shift).number(12);
  GuestPhysAddr page = t.addr.align_down(shift);
  // A page of the writer's own direct segment stays where the segment puts it (the segment must
  // keep translating by an add); other sharers keep their read-only mapping of it.
  const GuestSegment* own = direct_segment(as.pid);
  const bool own_segment = own && own->contains(base.value);
  uint32_t* sharers = own_segment ? nullptr : shared_.find(frame);
  fault_.copied = !own_segment && (sharers || in_segment(page.value));
  if (sharers && --*sharers <= 1) shared_.erase(frame);
  if (fault_.copied) {
    if (!sharers) segment_page_unmapped(page.value);  // this space's mapping of it goes
    page = GuestPhysAddr(allocate_frames(9 * static_cast<int>(t.size), "copy-on-write page") << 12);
  }
  as.table->map(base, page, t.size, true, [&] { return allocate_frames(0, "page-table page"); });
  auto path = as.table->walk(base);
  writes.push_back({path.steps[path.count - 1].entry_addr, path.steps[path.count - 1].level});
  fault_.kind = FaultKind::kCopyOnWrite;
  fault_.faulted = true;
  fault_.page = page;
  fault_.size = t.size;
}

}  // namespace hvsim
