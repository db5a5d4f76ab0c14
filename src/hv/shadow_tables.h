// Shadow page tables kept by the hypervisor: per guest process, a gVA->hPA table in host memory
// that the hardware walks in one dimension. Filled on hidden faults from the guest table and the
// EPT; guest page-table pages that back shadow entries are write-protected ("shadowed") so the
// hypervisor sees every change to them.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "common/flat_map.h"
#include "hv/hypervisor.h"
#include "mem/cache_hierarchy.h"
#include "os/address_space.h"
#include "paging/walker.h"

namespace hvsim {

using ShadowTable = RadixTable<GuestVirtAddr, HostPhysAddr, X86Entry>;

class ShadowTables {
 public:
  ShadowTables(Hypervisor& hv, uint64_t pool_bytes, int levels) : ept_(hv.ept()), pool_(hv.make_pool(pool_bytes)), levels_(levels) {}

  ShadowTable& table_for(const AddressSpace& as) {
    auto it = tables_.find(as.pid);
    if (it != tables_.end()) return *it->second;
    auto t = std::make_unique<ShadowTable>(*pool_.memory, levels_, pool_.allocate());
    return *(tables_[as.pid] = std::move(t));
  }

  struct FillResult {
    bool ok = false;
    WalkCost software_walk;  // the hypervisor's reads of guest entries
    int entries_written = 0;
  };

  // Builds the shadow entry for `va` from the guest table and the EPT, as a hidden-fault handler
  // does: a software walk of the guest table, then a write of the shadow path.
  FillResult fill(const AddressSpace& as, GuestVirtAddr va, CacheHierarchy& cache) {
    FillResult r;
    auto gpath = as.table->walk(va);
    for (int i = 0; i < gpath.count; ++i) {
      // The hypervisor reads guest entries through its own mapping of guest memory.
      auto h = ept_.translate(gpath.steps[i].entry_addr);
      if (h) r.software_walk.cycles += cache.access(h->addr.value).cycles;
      ++r.software_walk.refs;
      int level = gpath.steps[i].level;
      shadowed_.insert(gpath.table_frame_at[level], 1);
    }
    if (!gpath.ok) return r;
    auto h = ept_.translate(gpath.result);
    if (!h) return r;
    PageSize size = min_page_size(gpath.size, h->size);
    unsigned shift = page_shift(size);
    auto fx = table_for(as).map(va.align_down(shift), h->addr.align_down(shift), size, true, [this] { return pool_.allocate(); });
    r.entries_written = fx.entries_written;
    r.ok = true;
    return r;
  }

  // True if the guest page-table page holding `entry` is write-protected for shadowing.
  bool is_shadowed(GuestPhysAddr entry) const { return shadowed_.find(entry.number(12)) != nullptr; }
  size_t shadowed_pages() const { return shadowed_.size(); }
  size_t table_pages() const { return pool_.memory->pages(); }

  // Drops every shadow table and write-protection (leaving shadow paging, or flushing it so
  // that it is rebuilt lazily by hidden faults); returns the table pages freed.
  uint64_t clear() {
    uint64_t pages = 0;
    for (auto& [pid, t] : tables_) {
      t->for_each_table([&](uint64_t frame, int) {
        pool_.free(frame);
        ++pages;
      });
      pool_.free(t->root_frame());
      ++pages;
    }
    tables_.clear();
    shadowed_ = FlatU64Map<uint8_t>{10};
    return pages;
  }

 private:
  const EptTable& ept_;
  HostTablePool pool_;
  int levels_;
  std::unordered_map<uint32_t, std::unique_ptr<ShadowTable>> tables_;
  FlatU64Map<uint8_t> shadowed_{10};
};

}  // namespace hvsim
