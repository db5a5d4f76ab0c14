// The guest operating system model: processes with real x86-64 page tables in guest-physical
// memory, first-touch demand paging with a page-size policy, frames from a buddy allocator.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/address.h"
#include "common/profile.h"
#include "mem/buddy_allocator.h"
#include "mem/table_memory.h"
#include "os/address_space.h"

namespace hvsim {

// A guest page-table entry the guest kernel wrote (schemes that write-protect or validate guest
// tables charge for each one).
struct GuestPteWrite {
  GuestPhysAddr entry;
  int level;
};

// What demand-paging one access did in the guest.
struct GuestFault {
  bool faulted = false;
  GuestPhysAddr page;  // guest-physical page mapped
  PageSize size = PageSize::k4K;
  int tables_allocated = 0;
  std::vector<GuestPhysAddr> new_table_pages;  // reused buffer; valid until the next fault
};

// A process's direct segment (guest.direct_segment): its primary region [va_base, va_end) is
// backed by contiguous guest-physical memory starting at gpa_base, so gVA -> gPA is an add.
struct GuestSegment {
  uint64_t va_base = 0, va_end = 0, gpa_base = 0;
  bool contains(uint64_t va) const { return va - va_base < va_end - va_base; }
  uint64_t translate(uint64_t va) const { return va - va_base + gpa_base; }
};

class GuestOs {
 public:
  GuestOs(const Profile& profile, uint64_t memory_bytes);

  AddressSpace& space(uint32_t pid);  // created on first use
  const AddressSpace* find_space(uint32_t pid) const;
  void add_region(uint32_t pid, uint64_t start, uint64_t length);

  // Maps the page containing `va` if it is not mapped; the entries written are appended to
  // `writes`.
  const GuestFault& touch(uint32_t pid, GuestVirtAddr va, std::vector<GuestPteWrite>& writes);

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

  const Profile& profile_;
  uint64_t memory_bytes_;
  BuddyAllocator frames_;
  TableMemory tables_;
  std::unordered_map<uint32_t, AddressSpace> spaces_;
  uint16_t next_pcid_ = 1;
  GuestFault fault_;
  // Roots of address spaces created since the last fault: the kernel zeroes them, so they are
  // reported with the next fault's new table pages.
  std::vector<GuestPhysAddr> fresh_roots_;
  std::unordered_map<uint32_t, GuestSegment> segments_;
};

}  // namespace hvsim
