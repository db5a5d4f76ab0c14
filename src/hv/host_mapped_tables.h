// One-dimensional gVA -> hPA page tables kept beside each guest process's own table, for the
// schemes whose hardware walks tables that hold host frames: Xen PV direct paging (the guest's
// tables hold machine frames) and Translation Pass-Through (guest-owned gVA -> hPA tables).
// Unlike shadow tables they are written eagerly, when the guest writes its entries, because in
// both designs the guest itself writes them (through hypercalls under PV, directly under TPT).
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "hv/hypervisor.h"
#include "os/address_space.h"
#include "paging/radix_table.h"

namespace hvsim {

using HostMappedTable = RadixTable<GuestVirtAddr, HostPhysAddr, X86Entry>;

class HostMappedTables {
 public:
  HostMappedTables(Hypervisor& hv, uint64_t pool_bytes, int levels)
      : ept_(hv.ept()), pool_(hv.make_pool(pool_bytes)), levels_(levels) {}

  // The table of `as`; a new one takes a root page (reported to `on_table(frame)`).
  template <class OnTable>
  HostMappedTable& table_for(const AddressSpace& as, OnTable&& on_table) {
    auto it = tables_.find(as.pid);
    if (it != tables_.end()) return *it->second;
    uint64_t root = pool_.allocate();
    on_table(root);
    auto t = std::make_unique<HostMappedTable>(*pool_.memory, levels_, root);
    return *(tables_[as.pid] = std::move(t));
  }
  HostMappedTable* find(uint32_t pid) {
    auto it = tables_.find(pid);
    return it == tables_.end() ? nullptr : it->second.get();
  }

  // Writes the entries for the guest page containing `va`, just mapped by the guest. Where the
  // host backs the guest page with smaller pages, it takes one leaf per host page.
  // `on_leaf(hpa_page, size)` sees each leaf, `on_table(frame)` each new table page.
  template <class OnLeaf, class OnTable>
  bool map_guest_page(const AddressSpace& as, GuestVirtAddr va, OnLeaf&& on_leaf, OnTable&& on_table) {
    auto g = as.table->translate(va);
    if (!g) return false;
    HostMappedTable& t = table_for(as, on_table);
    const uint64_t gbytes = page_bytes(g->size);
    const uint64_t gpage = g->addr.align_down(page_shift(g->size)).value;
    const uint64_t vpage = va.align_down(page_shift(g->size)).value;
    auto alloc = [&] {
      uint64_t f = pool_.allocate();
      on_table(f);
      return f;
    };
    for (uint64_t off = 0; off < gbytes;) {
      auto h = ept_.translate(GuestPhysAddr(gpage + off));
      if (!h) return false;  // the machine backs a page before the guest maps it
      GuestVirtAddr v(vpage + off);
      // Where smaller pages of an earlier mapping left a table, the guest page is mapped in
      // pieces: a large leaf there would change the table's shape under the walk caches.
      PageSize size = t.fitting_size(v, min_page_size(g->size, h->size));
      HostPhysAddr hpage = h->addr.align_down(page_shift(size));
      // A larger leaf left from an earlier mapping (unmapped since) would hide the new one.
      if (auto old = t.translate(v); old && old->size > size) t.unmap(v);
      t.map(v, hpage, size, g->writable, alloc);
      on_leaf(hpage, size);
      off += page_bytes(size);
    }
    return true;
  }

  // What the designs this models do when the guest's own tables change under an OS event (the
  // machine has changed those already): their gVA -> hPA tables are written together with the
  // guest's, so stale entries must not outlive the guest's (schemes/follow_guest.h dispatches).
  // Fork: the parent's entries lose write access, the child gets every mapping it inherited.
  template <class OnLeaf, class OnTable>
  void fork(const AddressSpace* parent, const AddressSpace* child, OnLeaf&& on_leaf, OnTable&& on_table) {
    if (parent) reprotect(*parent, 0, parent->table->address_space_end());
    if (!child) return;
    child->table->for_each_leaf(0, child->table->address_space_end(),
                                [&](uint64_t va, uint64_t&, int, GuestPhysAddr) {
                                  map_guest_page(*child, GuestVirtAddr(va), on_leaf, on_table);
                                });
  }

  // Sets the write bit of each leaf of `as` in [start, end) as the guest's entry has it.
  void reprotect(const AddressSpace& as, uint64_t start, uint64_t end) {
    HostMappedTable* t = find(as.pid);
    if (!t) return;
    t->for_each_leaf(start, end, [&](uint64_t va, uint64_t& e, int, HostPhysAddr) {
      auto g = as.table->translate(GuestVirtAddr(va));
      if (g) e = X86Entry::with_write(e, g->writable);
    });
  }

  // Clears the leaves of `pid` in [start, end) and, with `free_tables`, frees the table pages left
  // empty whose span lies inside the range; returns the pages freed.
  uint64_t zap(uint32_t pid, uint64_t start, uint64_t end, bool free_tables) {
    HostMappedTable* t = find(pid);
    if (!t) return 0;
    t->for_each_leaf(start, end, [](uint64_t, uint64_t& e, int, HostPhysAddr) { e = 0; });
    if (!free_tables) return 0;
    uint64_t freed = 0;
    t->prune(
        start, end,
        [&](uint64_t frame, int) {
          pool_.free(frame);
          ++freed;
        },
        [](HostPhysAddr, int) {});
    return freed;
  }

  // Frees the whole table of `pid`; returns the pages freed (0 if it had none).
  uint64_t drop(uint32_t pid) {
    auto it = tables_.find(pid);
    if (it == tables_.end()) return 0;
    uint64_t pages = 1;
    it->second->for_each_table([&](uint64_t frame, int) {
      pool_.free(frame);
      ++pages;
    });
    pool_.free(it->second->root_frame());
    tables_.erase(it);
    return pages;
  }

  size_t table_pages() const { return pool_.memory->pages(); }

 private:
  const EptTable& ept_;
  HostTablePool pool_;
  int levels_;
  std::unordered_map<uint32_t, std::unique_ptr<HostMappedTable>> tables_;
};

}  // namespace hvsim
