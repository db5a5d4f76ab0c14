// One guest process: its page table (in guest-physical memory), PCID and mapped regions.
#pragma once
#include <cstdint>
#include <map>
#include <memory>

#include "common/address.h"
#include "common/range_map.h"
#include "paging/radix_table.h"

namespace hvsim {

using GuestPageTable = RadixTable<GuestVirtAddr, GuestPhysAddr, X86Entry>;

struct AddressSpace {
  uint32_t pid = 0;
  uint16_t pcid = 0;
  std::unique_ptr<GuestPageTable> table;
  std::map<uint64_t, uint64_t> regions;   // mmap'd ranges: start -> end
  std::map<uint64_t, uint64_t> readonly;  // mprotect'ed read-only ranges: start -> end
  // The program break: the heap is [brk_base, brk) once a brk event has been seen.
  bool has_brk = false;
  uint64_t brk_base = 0, brk = 0;
  // The primary region (the first mmap) has been seen: a direct segment is decided once.
  bool primary_seen = false;

  bool is_readonly(uint64_t va) const {
    auto it = readonly.upper_bound(va);
    if (it == readonly.begin()) return false;
    --it;
    return va < it->second;
  }

  // True if [start, end) lies inside one mapped region.
  bool region_covers(uint64_t start, uint64_t end) const {
    auto it = regions.upper_bound(start);
    if (it == regions.begin()) return false;
    --it;
    return it->first <= start && end <= it->second;
  }
};

}  // namespace hvsim
