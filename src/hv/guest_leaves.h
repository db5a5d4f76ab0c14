// Enumerates every mapping of a guest page table, as a hypervisor does when it builds shadow
// tables for a whole address space at once.
#pragma once
#include <cstdint>

#include "os/address_space.h"
#include "paging/entry_format.h"

namespace hvsim {

namespace detail {
template <class F>
uint64_t visit_guest_leaves(const TableMemory& mem, uint64_t frame, int level, uint64_t prefix, F& f) {
  const uint64_t* page = mem.page(frame);
  if (!page) return 0;
  uint64_t tables = 1;
  for (unsigned i = 0; i < TableMemory::kEntries; ++i) {
    uint64_t e = page[i];
    if (!X86Entry::present(e)) continue;
    uint64_t va = prefix | (uint64_t{i} << (12 + 9 * (level - 1)));
    if (level == 1 || X86Entry::large(e))
      f(GuestVirtAddr(va));
    else
      tables += visit_guest_leaves(mem, (e & kEntryAddrMask) >> 12, level - 1, va, f);
  }
  return tables;
}
}  // namespace detail

// Calls f(va) with the first address of every page `table` maps; returns the number of table
// pages read (root included).
template <class F>
uint64_t for_each_guest_leaf(const GuestPageTable& table, F&& f) {
  return detail::visit_guest_leaves(table.memory(), table.root_frame(), table.levels(), 0, f);
}

}  // namespace hvsim
