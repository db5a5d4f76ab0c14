// The guest kernel's process and mapping operations, performed on the real page tables: fork with
// copy-on-write, exit and exec (tables freed), munmap / madvise(DONTNEED) (leaves cleared, empty
// tables freed), mprotect (permissions rewritten), TLB shootdowns.
#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "os/guest_os.h"

namespace hvsim {
namespace {
// Above this many pages Linux flushes the whole address space instead of page by page
// (tlb_single_page_flush_ceiling).
constexpr size_t kSinglePageFlushCeiling = 33;
}  // namespace

bool GuestOs::in_segment(uint64_t gpa) const {
  for (const auto& [_, seg] : segments_)
    if (gpa - seg.gpa_base < seg.va_end - seg.va_base) return true;
  for (const GuestSegment& seg : retired_segments_)
    if (gpa - seg.gpa_base < seg.va_end - seg.va_base) return true;
  return false;
}

GuestSegment* GuestOs::segment_holding(uint64_t gpa) {
  for (auto& [_, seg] : segments_)
    if (gpa - seg.gpa_base < seg.va_end - seg.va_base) return &seg;
  for (GuestSegment& seg : retired_segments_)
    if (gpa - seg.gpa_base < seg.va_end - seg.va_base) return &seg;
  return nullptr;
}

// The owner's own mappings go when it exits (destroy() after this), children's when they do.
void GuestOs::retire_segment(uint32_t pid) {
  auto it = segments_.find(pid);
  if (it == segments_.end()) return;
  if (it->second.mappings == 0)
    free_segment(it->second);
  else
    retired_segments_.push_back(it->second);
  segments_.erase(it);
}

void GuestOs::segment_page_unmapped(uint64_t gpa) {
  for (auto& [_, seg] : segments_)
    if (gpa - seg.gpa_base < seg.va_end - seg.va_base) {
      --seg.mappings;
      return;
    }
  for (size_t i = 0; i < retired_segments_.size(); ++i) {
    GuestSegment& seg = retired_segments_[i];
    if (gpa - seg.gpa_base >= seg.va_end - seg.va_base) continue;
    if (--seg.mappings == 0) {
      free_segment(seg);
      retired_segments_.erase(retired_segments_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return;
  }
}

void GuestOs::free_segment(const GuestSegment& seg) {
  for (uint64_t i = 0; i < seg.blocks; ++i) frames_.free(seg.first_frame + (i << seg.order), seg.order);
}

void GuestOs::release_data_page(uint64_t frame, PageSize size, GuestOpEffect& fx) {
  if (in_segment(frame << 12)) {  // segment memory stays reserved while any space maps it
    segment_page_unmapped(frame << 12);
    return;
  }
  if (uint32_t* sharers = shared_.find(frame)) {
    if (--*sharers <= 1) shared_.erase(frame);
    return;
  }
  frames_.free(frame, 9 * static_cast<int>(size));
  ++fx.data_pages_freed;
}

void GuestOs::flush_if_many(const AddressSpace& as, size_t pages, GuestOpEffect& fx) {
  if (pages <= kSinglePageFlushCeiling) return;
  fx.flush_pcid = as.pcid;
  fx.invalidations.clear();
}

// A huge page only partly inside the range goes whole (Linux would split it and keep the rest
// mapped; here the rest faults again): the range reported as unmapped grows to cover it.
void GuestOs::zap_range(AddressSpace& as, uint64_t start, uint64_t end, bool free_tables, GuestOpEffect& fx) {
  size_t pages = 0;
  uint64_t lo = start, hi = end;
  as.table->for_each_leaf(start, end, [&](uint64_t va, uint64_t& e, int level, GuestPhysAddr entry_addr) {
    PageSize size = page_size_at_level(level);
    lo = std::min(lo, va);
    hi = std::max(hi, va + page_bytes(size));
    release_data_page((e & kEntryAddrMask) >> 12, size, fx);
    e = 0;
    fx.writes.push_back({entry_addr, level});
    if (++pages <= kSinglePageFlushCeiling) fx.invalidations.push_back({va, as.pcid, size});
  });
  if (free_tables) {
    as.table->prune(
        start, end,
        [&](uint64_t frame, int) {
          fx.tables_freed.push_back(GuestPhysAddr(frame << 12));
          frames_.free(frame, 0);
        },
        [&](GuestPhysAddr entry_addr, int level) {
          fx.writes.push_back({entry_addr, level});
        });
  }
  flush_if_many(as, pages, fx);
  fx.unmapped = {lo, hi};
}

void GuestOs::destroy(AddressSpace& as, GuestOpEffect& fx) {
  zap_range(as, 0, as.table->address_space_end(), false, fx);
  as.table->for_each_table([&](uint64_t frame, int) {
    fx.tables_freed.push_back(GuestPhysAddr(frame << 12));
    tables_.release(frame);
    frames_.free(frame, 0);
  });
  uint64_t root = as.table->root_frame();
  fx.tables_freed.push_back(GuestPhysAddr(root << 12));
  tables_.release(root);
  frames_.free(root, 0);
  fx.invalidations.clear();
  fx.flush_pcid = as.pcid;
}

void GuestOs::fork(uint32_t parent, uint32_t child, GuestOpEffect& fx) {
  if (parent == child || exists(child))
    throw InputError(fmt::format("fork: child pid {} already exists (parent {})", child, parent));
  AddressSpace& p = space(parent);
  AddressSpace& c = space(child);
  // The child's root is reported here, not with the next demand fault.
  fx.tables_allocated.push_back(c.table->root_addr());
  std::erase(fresh_roots_, c.table->root_addr());
  c.regions = p.regions;
  c.readonly = p.readonly;
  c.has_brk = p.has_brk;
  c.brk_base = p.brk_base;
  c.brk = p.brk;
  c.primary_seen = p.primary_seen;
  auto alloc_table = [&] {
    uint64_t f = allocate_frames(0, "page-table page");
    fx.tables_allocated.push_back(GuestPhysAddr(f << 12));
    return f;
  };
  p.table->for_each_leaf(
      0, p.table->address_space_end(), [&](uint64_t va, uint64_t& e, int level, GuestPhysAddr entry_addr) {
        const PageSize size = page_size_at_level(level);
        const uint64_t frame = (e & kEntryAddrMask) >> 12;
        if (X86Entry::writable(e)) {
          e = X86Entry::with_write(e, false);
          fx.writes.push_back({entry_addr, level});
        }
        auto m = c.table->map(GuestVirtAddr(va), GuestPhysAddr(frame << 12), size, false, alloc_table);
        for (int i = 0; i < m.entries_written; ++i)
          fx.writes.push_back({m.written[i].entry_addr, m.written[i].level});
        if (GuestSegment* seg = segment_holding(frame << 12))
          ++seg->mappings;
        else if (uint32_t* n = shared_.find(frame))
          ++*n;
        else
          shared_.insert(frame, 2);
      });
  fx.flush_pcid = p.pcid;  // write-protecting the parent's entries flushes its TLB
}

void GuestOs::exit(uint32_t pid, GuestOpEffect& fx) {
  retire_segment(pid);
  auto it = spaces_.find(pid);
  if (it == spaces_.end()) return;  // nothing mapped, nothing to free
  destroy(it->second, fx);
  if (last_space_ == &it->second) last_space_ = nullptr;
  spaces_.erase(it);
}

void GuestOs::exec(uint32_t pid, GuestOpEffect& fx) {
  // exit() retires the old image's direct segment; the new image may reserve its own.
  exit(pid, fx);
  AddressSpace& as = space(pid);
  fx.tables_allocated.push_back(as.table->root_addr());
  std::erase(fresh_roots_, as.table->root_addr());
}

void GuestOs::unmap_range(AddressSpace& as, uint64_t start, uint64_t end, GuestOpEffect& fx) {
  zap_range(as, start, end, true, fx);
  erase_range(as.regions, start, end);
  erase_range(as.readonly, start, end);
}

void GuestOs::munmap(uint32_t pid, uint64_t start, uint64_t length, GuestOpEffect& fx) {
  unmap_range(space(pid), start, start + length, fx);
}

void GuestOs::mmap(uint32_t pid, uint64_t start, uint64_t length, GuestOpEffect& fx) {
  AddressSpace& as = space(pid);
  const uint64_t end = start + length;
  if (as.table->any_leaf(start, end)) unmap_range(as, start, end, fx);
  erase_range(as.regions, start, end);
  erase_range(as.readonly, start, end);
  as.regions[start] = end;
  if (!as.primary_seen) {
    as.primary_seen = true;
    if (cfg_.direct_segment) reserve_segment(pid, start, length);
  }
}

namespace {
uint64_t page_up(uint64_t a) { return (a + 4095) & ~uint64_t{4095}; }

// Where the heap's pages end now and after a brk to `new_brk` (it never goes below its base).
struct HeapEnds {
  uint64_t old_end, new_end;
};
HeapEnds heap_ends(const AddressSpace& as, uint64_t new_brk) {
  return {page_up(as.brk), page_up(std::max(new_brk, as.brk_base))};
}
}  // namespace

void GuestOs::brk(uint32_t pid, uint64_t new_brk, GuestOpEffect& fx) {
  AddressSpace& as = space(pid);
  if (!as.has_brk) {  // the first reply tells where the heap starts
    as.has_brk = true;
    as.brk_base = as.brk = new_brk;
    return;
  }
  const auto [old_end, new_end] = heap_ends(as, new_brk);
  if (new_end < old_end) {
    unmap_range(as, new_end, old_end, fx);
  } else if (new_end > old_end) {
    erase_range(as.regions, old_end, new_end);
    as.regions[old_end] = new_end;
  }
  as.brk = std::max(new_brk, as.brk_base);
}

bool GuestOs::changes_translations(const Event& ev) const {
  switch (ev.kind) {
    case EventKind::kProcessExit:
    case EventKind::kExec:
    case EventKind::kMunmap:
    case EventKind::kMadviseDontneed:
      return true;
    case EventKind::kMmap: {
      const AddressSpace* as = find_space(ev.pid);
      return as && as->table->any_leaf(ev.addr, ev.addr + ev.arg);
    }
    case EventKind::kBrk: {
      const AddressSpace* as = find_space(ev.pid);
      if (!as || !as->has_brk) return false;
      const auto [old_end, new_end] = heap_ends(*as, ev.addr);
      return new_end < old_end && as->table->any_leaf(new_end, old_end);
    }
    default:
      return false;
  }
}

void GuestOs::madvise_dontneed(uint32_t pid, uint64_t start, uint64_t length, GuestOpEffect& fx) {
  zap_range(space(pid), start, start + length, false, fx);
}

void GuestOs::mprotect(uint32_t pid, uint64_t start, uint64_t length, bool writable, GuestOpEffect& fx) {
  AddressSpace& as = space(pid);
  const uint64_t end = start + length;
  erase_range(as.readonly, start, end);
  if (!writable) as.readonly[start] = end;
  size_t pages = 0;
  as.table->for_each_leaf(start, end, [&](uint64_t va, uint64_t& e, int level, GuestPhysAddr entry_addr) {
    // Shared (copy-on-write) pages stay read-only until written.
    bool want = writable && !shared_.find((e & kEntryAddrMask) >> 12);
    if (X86Entry::writable(e) == want) return;
    e = X86Entry::with_write(e, want);
    fx.writes.push_back({entry_addr, level});
    if (!want && ++pages <= kSinglePageFlushCeiling)
      fx.invalidations.push_back({va, as.pcid, page_size_at_level(level)});
  });
  flush_if_many(as, pages, fx);
}

void GuestOs::shootdown(uint32_t pid, uint64_t start, uint64_t length, GuestOpEffect& fx) {
  AddressSpace& as = space(pid);
  size_t pages = 0;
  as.table->for_each_leaf(start, start + length, [&](uint64_t va, uint64_t&, int level, GuestPhysAddr) {
    if (++pages <= kSinglePageFlushCeiling)
      fx.invalidations.push_back({va, as.pcid, page_size_at_level(level)});
  });
  flush_if_many(as, pages, fx);
}

}  // namespace hvsim
