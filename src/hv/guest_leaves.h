// Enumerates every mapping of a guest page table, as a hypervisor does when it builds shadow
// tables for a whole address space at once.
#pragma once
#include <cstdint>

#include "os/address_space.h"
#include "paging/entry_format.h"

namespace hvsim {

namespace detail {
template <class Leaf, class Table>
void visit_guest_subtree(const TableMemory& mem, uint64_t frame, int level, uint64_t prefix, Leaf& leaf,
                         Table& table) {
  const TablePage* page = mem.page(frame);
  if (!page) return;
  table(frame, level, prefix);
  for (unsigned i = page->next_present(0); i < TablePage::kEntries; i = page->next_present(i + 1)) {
    uint64_t e = page->get(i);
    if (!X86Entry::present(e)) continue;
    uint64_t va = prefix | (uint64_t{i} << (12 + 9 * (level - 1)));
    if (level == 1 || X86Entry::large(e))
      leaf(GuestVirtAddr(va));
    else
      visit_guest_subtree(mem, (e & kEntryAddrMask) >> 12, level - 1, va, leaf, table);
  }
}
}  // namespace detail

// Visits the part of `table` below the table page `frame` at `level`, which translates the
// addresses starting at `prefix`: leaf(va) for the first address of every page mapped there,
// table(frame, level, prefix) for every table page (`frame` itself included).
template <class Leaf, class Table>
void for_each_in_guest_subtree(const GuestPageTable& table, uint64_t frame, int level, uint64_t prefix,
                               Leaf&& leaf, Table&& on_table) {
  detail::visit_guest_subtree(table.memory(), frame, level, prefix, leaf, on_table);
}

// Calls f(va) with the first address of every page `table` maps; returns the number of table
// pages read (root included).
template <class F>
uint64_t for_each_guest_leaf(const GuestPageTable& table, F&& f) {
  uint64_t tables = 0;
  for_each_in_guest_subtree(table, table.root_frame(), table.levels(), 0, f,
                            [&](uint64_t, int, uint64_t) { ++tables; });
  return tables;
}

}  // namespace hvsim
