#include "os/guest_os.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/units.h"

namespace hvsim {

GuestOs::GuestOs(const Profile& profile, uint64_t memory_bytes)
    : profile_(profile), memory_bytes_(memory_bytes), frames_(0, memory_bytes >> 12) {}

AddressSpace& GuestOs::space(uint32_t pid) {
  auto it = spaces_.find(pid);
  if (it != spaces_.end()) return it->second;
  AddressSpace& as = spaces_[pid];
  as.pid = pid;
  // PCIDs are 12 bits; 0 is left for the kernel.
  as.pcid = next_pcid_;
  next_pcid_ = static_cast<uint16_t>(next_pcid_ % 4095 + 1);
  uint64_t root = allocate_frames(0, "page-table root");
  as.table = std::make_unique<GuestPageTable>(tables_, profile_.guest_levels, root);
  fresh_roots_.push_back(GuestPhysAddr(root << 12));
  return as;
}

const AddressSpace* GuestOs::find_space(uint32_t pid) const {
  auto it = spaces_.find(pid);
  return it == spaces_.end() ? nullptr : &it->second;
}

void GuestOs::add_region(uint32_t pid, uint64_t start, uint64_t length) {
  space(pid).regions[start] = start + length;
}

uint64_t GuestOs::allocate_frames(int order, const char* what) {
  auto f = frames_.allocate(order);
  if (!f)
    throw SimulationError(fmt::format("guest memory ({}) exhausted allocating a {}; raise guest.memory",
                                      format_size(memory_bytes_), what));
  return *f;
}

PageSize GuestOs::choose_size(const AddressSpace& as, GuestVirtAddr va) const {
  switch (profile_.guest_page_size) {
    case GuestPagePolicy::k4K: return PageSize::k4K;
    case GuestPagePolicy::k2M: return PageSize::k2M;
    case GuestPagePolicy::k1G: return PageSize::k1G;
    case GuestPagePolicy::kThp: {
      // Like Linux THP: a huge page only where the aligned 2 MiB range lies inside one mapping.
      uint64_t base = va.align_down(21).value;
      return as.region_covers(base, base + (2ull << 20)) ? PageSize::k2M : PageSize::k4K;
    }
  }
  return PageSize::k4K;
}

const GuestFault& GuestOs::touch(uint32_t pid, GuestVirtAddr va, std::vector<GuestPteWrite>& writes) {
  AddressSpace& as = space(pid);
  fault_.faulted = false;
  fault_.tables_allocated = 0;
  fault_.new_table_pages.clear();
  if (as.table->translate(va)) return fault_;
  fault_.new_table_pages.swap(fresh_roots_);

  PageSize size = choose_size(as, va);
  int order = 9 * static_cast<int>(size);
  uint64_t frame = allocate_frames(order, "data page");
  GuestPhysAddr page(frame << 12);
  auto alloc_table = [&] {
    uint64_t f = allocate_frames(0, "page-table page");
    fault_.new_table_pages.push_back(GuestPhysAddr(f << 12));
    return f;
  };
  MapEffect fx = as.table->map(va.align_down(page_shift(size)), page, size, true, alloc_table);
  // Record the entries written, top-down, by re-walking the new path.
  auto path = as.table->walk(va);
  for (int i = path.count - fx.entries_written; i < path.count; ++i)
    writes.push_back({path.steps[i].entry_addr, path.steps[i].level});
  fault_.faulted = true;
  fault_.page = page;
  fault_.size = size;
  fault_.tables_allocated = fx.tables_allocated;
  return fault_;
}

}  // namespace hvsim
