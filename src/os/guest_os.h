// The guest operating system model: processes with real x86-64 page tables in guest-physical
// memory, first-touch demand paging with a page-size policy, frames from a buddy allocator.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/address.h"
#include "common/event.h"
#include "common/flat_map.h"
#include "mem/buddy_allocator.h"
#include "mem/table_memory.h"
#include "os/address_space.h"
#include "os/guest_config.h"
#include "paging/paging_config.h"

namespace hvsim {

// A guest page-table entry the guest kernel wrote (schemes that write-protect or validate guest
// tables charge for each one).
struct GuestPteWrite {
  GuestPhysAddr entry;
  int level;
};

// A TLB entry an operation made stale: the page of `size` at `va` in the address space `pcid`.
struct TlbInvalidation {
  uint64_t va;
  uint16_t pcid;
  PageSize size;
};

// What an OS operation (fork, exit, munmap, …) did to the guest's tables and memory. Reused
// buffers, valid until the next operation.
struct GuestOpEffect {
  std::vector<GuestPteWrite> writes;            // entries set, cleared or re-protected
  std::vector<GuestPhysAddr> tables_allocated;  // new table pages
  std::vector<GuestPhysAddr> tables_freed;      // table pages returned to the allocator
  std::vector<TlbInvalidation> invalidations;   // single pages to drop from TLBs
  uint16_t flush_pcid = 0;                      // non-zero: flush this whole address space instead
  uint32_t data_pages_allocated = 0, data_pages_freed = 0;
  // The range whose translations the operation removed (munmap, madvise, an mmap over live
  // pages, a shrinking brk); empty otherwise. Schemes with tables of their own follow it.
  AddressRange unmapped;
  void clear() {
    unmapped = {};
    writes.clear();
    tables_allocated.clear();
    tables_freed.clear();
    invalidations.clear();
    flush_pcid = 0;
    data_pages_allocated = data_pages_freed = 0;
  }
};

enum class FaultKind : uint8_t {
  kNone,         // translation present and the access allowed
  kDemand,       // first touch: page mapped
  kCopyOnWrite,  // store to a shared page: copied (or made writable if no longer shared)
  kProtection,   // store to a read-only mapping: counted, nothing changes
  kDeferred,     // a copy-on-write the caller asked to postpone (see touch)
};

// What demand-paging one access did in the guest.
struct GuestFault {
  FaultKind kind = FaultKind::kNone;
  bool faulted = false;
  GuestPhysAddr page;  // guest-physical page mapped
  PageSize size = PageSize::k4K;
  bool copied = false;  // copy-on-write: a new page was allocated and filled
  int tables_allocated = 0;
  std::vector<GuestPhysAddr> new_table_pages;  // reused buffer; valid until the next fault
};

// A process's direct segment (guest.direct_segment): its primary region [va_base, va_end) is
// backed by contiguous guest-physical memory starting at gpa_base, so gVA -> gPA is an add.
struct GuestSegment {
  uint64_t va_base = 0, va_end = 0, gpa_base = 0;
  // The reservation (`blocks` buddy blocks of `order` from `first_frame`) and how many leaf
  // entries of any address space map a page of it: an exited owner's segment is freed at zero.
  uint64_t first_frame = 0, blocks = 0, mappings = 0;
  int order = 0;
  bool contains(uint64_t va) const { return va - va_base < va_end - va_base; }
  uint64_t translate(uint64_t va) const { return va - va_base + gpa_base; }
};

class GuestOs {
 public:
  // Primary regions smaller than this get no direct segment.
  static constexpr uint64_t kMinSegmentBytes = uint64_t{2} << 20;

  GuestOs(const GuestConfig& cfg, const PagingConfig& paging, uint64_t memory_bytes);

  AddressSpace& space(uint32_t pid);  // created on first use
  const AddressSpace* find_space(uint32_t pid) const;
  // mmap: the new mapping replaces whatever the range held (MAP_FIXED semantics; a trace's
  // accesses may precede the mmap that covers them, e.g. ld.so mapping over its reservation).
  void mmap(uint32_t pid, uint64_t start, uint64_t length, GuestOpEffect& fx);
  // brk: the heap now ends at `new_brk`; a shrink unmaps the pages above it.
  void brk(uint32_t pid, uint64_t new_brk, GuestOpEffect& fx);
  // True if `ev` would change or remove a translation that exists now (it must start a batch).
  bool changes_translations(const Event& ev) const;

  // Maps the page containing `va` if it is not mapped, and breaks copy-on-write sharing on a
  // store; the entries written are appended to `writes`. A copy-on-write changes an existing
  // translation: with `allow_cow` false it is not done and kDeferred is returned instead.
  const GuestFault& touch(uint32_t pid, GuestVirtAddr va, bool store, bool allow_cow,
                          std::vector<GuestPteWrite>& writes);

  // Process and mapping operations, performed on the real tables (os/process_ops.cpp).
  void fork(uint32_t parent, uint32_t child, GuestOpEffect& fx);
  void exit(uint32_t pid, GuestOpEffect& fx);
  void exec(uint32_t pid, GuestOpEffect& fx);
  void munmap(uint32_t pid, uint64_t start, uint64_t length, GuestOpEffect& fx);
  void madvise_dontneed(uint32_t pid, uint64_t start, uint64_t length, GuestOpEffect& fx);
  void mprotect(uint32_t pid, uint64_t start, uint64_t length, bool writable, GuestOpEffect& fx);
  void shootdown(uint32_t pid, uint64_t start, uint64_t length, GuestOpEffect& fx);
  bool exists(uint32_t pid) const { return spaces_.count(pid) != 0; }
  size_t process_count() const { return spaces_.size(); }

  // The direct segment of `pid`'s primary region, or nullptr (none asked for, or no contiguous
  // guest memory was free for it).
  const GuestSegment* direct_segment(uint32_t pid) const {
    auto it = segments_.find(pid);
    return it == segments_.end() ? nullptr : &it->second;
  }

  TableMemory& table_memory() { return tables_; }
  const TableMemory& table_memory() const { return tables_; }
  uint64_t memory_bytes() const { return memory_bytes_; }
  uint64_t frames_in_use() const { return frames_.total_frames() - frames_.free_frames(); }

 private:
  uint64_t allocate_frames(int order, const char* what);
  PageSize choose_size(const AddressSpace& as, GuestVirtAddr va) const;
  void reserve_segment(uint32_t pid, uint64_t start, uint64_t length);
  // Drops one mapping of a data page: frees it when no other address space shares it.
  void release_data_page(uint64_t frame, PageSize size, GuestOpEffect& fx);
  // Clears the leaves in [start, end) (and with `free_tables`, the tables left empty).
  void zap_range(AddressSpace& as, uint64_t start, uint64_t end, bool free_tables, GuestOpEffect& fx);
  // Turns page-by-page invalidations into one address-space flush when there are many.
  void flush_if_many(const AddressSpace& as, size_t pages, GuestOpEffect& fx);
  void destroy(AddressSpace& as, GuestOpEffect& fx);
  // Clears every translation in [start, end), frees the tables left empty and forgets the
  // range's regions (munmap's work, also done by mmap over live pages and a shrinking brk).
  void unmap_range(AddressSpace& as, uint64_t start, uint64_t end, GuestOpEffect& fx);
  void retire_segment(uint32_t pid);
  GuestSegment* segment_holding(uint64_t gpa);
  // A leaf entry mapping a page of a segment went away; the last one of a retired segment frees it.
  void segment_page_unmapped(uint64_t gpa);
  void free_segment(const GuestSegment& seg);
  bool in_segment(uint64_t gpa) const;
  void break_cow(AddressSpace& as, GuestVirtAddr va, const GuestPageTable::Translation& t,
                 std::vector<GuestPteWrite>& writes);

  GuestConfig cfg_;
  int levels_;
  uint64_t memory_bytes_;
  BuddyAllocator frames_;
  TableMemory tables_;
  std::unordered_map<uint32_t, AddressSpace> spaces_;
  AddressSpace* last_space_ = nullptr;  // the most recently used space (reset when one is erased)
  uint16_t next_pcid_ = 1;
  GuestFault fault_;
  // Roots of address spaces created since the last fault: the kernel zeroes them, so they are
  // reported with the next fault's new table pages.
  std::vector<GuestPhysAddr> fresh_roots_;
  std::unordered_map<uint32_t, GuestSegment> segments_;
  // Segments of processes that exited or exec'd: their frames stay reserved while children still
  // map them, but no process translates through them any more.
  std::vector<GuestSegment> retired_segments_;
  // Data pages mapped by more than one address space (after fork): frame -> mappings.
  FlatU64Map<uint32_t> shared_{10};
};

}  // namespace hvsim
