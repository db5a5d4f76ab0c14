// The scheme shared by pv and pv-pibooster: Xen PV direct paging. The hardware walks the
// guest's own tables, which hold machine frames: one dimension, g references, no EPT. hvsim
// keeps those machine-frame tables as gVA -> hPA tables beside the guest's (the guest's entries
// translated through the VM's memory map), written when the guest writes its entries; what the
// hypervisor does for each write and each page-table page comes from PvPaging.
#pragma once
#include "common/flat_map.h"
#include "hv/host_mapped_tables.h"
#include "hv/pv_paging.h"
#include "paging/walker.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {

class PvScheme final : public TlbScheme<PvScheme> {
 public:
  PvScheme(SchemeContext& ctx, bool pibooster)
      : TlbScheme(ctx),
        pwc_(ctx.profile.pwc),
        tables_(ctx.machine.hypervisor(), ctx.machine.pool_bytes(), ctx.profile.guest_levels),
        pv_(pv_costs(ctx.profile, pibooster)) {}

  void on_guest_fault(const Event& ev, const EventEffect& e, EffectCursor& cursor) {
    charge_guest_fault(e);
    // A PV domain's memory is all allocated when it is built: no population exits.
    // A new process's top-level table is pinned when first used.
    uint64_t new_tables = e.guest_tables_allocated;
    if (!known_pids_.find(ev.pid)) {
      known_pids_.insert(ev.pid, 1);
      ++new_tables;
    }
    for (uint64_t t = 0; t < new_tables; ++t) pv_.table_allocated(stats);
    pv_.updates(stats, cursor.writes(e).size());
    tables_.map_guest_page(
        space(), GuestVirtAddr(ev.addr), [](HostPhysAddr, PageSize) {}, [](uint64_t) {});
  }

  void on_switch(const AddressSpace&) { pv_.base_switch(stats); }

  // For page-table pages the guest frees (process exit, munmap); the OS events that carry them
  // call this.
  void on_table_freed() { pv_.table_freed(stats); }

  bool walk(const Event& ev, uint64_t& page_base, PageSize& size) {
    if (ev.pid != table_pid_ || !table_) {
      table_ = tables_.find(ev.pid);
      table_pid_ = ev.pid;
    }
    if (!table_) {
      ++stats.faulting_walks;
      return false;
    }
    auto w = walk_1d(*table_, GuestVirtAddr(ev.addr), space().pcid, pwc_, cache_);
    stats.walk_cycles += w.cost.cycles;
    if (!w.path.ok) {
      ++stats.faulting_walks;
      stats.faulting_walk_refs += w.cost.refs;
      return false;
    }
    ++stats.walks;
    stats.walk_mem_refs += w.cost.refs;
    size = w.path.size;
    page_base = w.path.result.align_down(page_shift(size)).value;
    return true;
  }

  HostPhysAddr host_address(uint64_t hpa) const { return HostPhysAddr(hpa); }

  void reset_stats() override {
    Scheme::reset_stats();
    pv_.counters = {};
  }

  void finish() override {
    const PvCounters& c = pv_.counters;
    auto put = [this](const char* k, uint64_t v) { stats.details[k] = static_cast<double>(v); };
    put("mmu_updates", c.mmu_updates);
    put("update_hypercalls", c.update_hypercalls);
    put("pins", c.pins);
    put("unpins", c.unpins);
    put("base_switches", c.base_switches);
    put("iommu_updates", c.iommu_updates);
    put("iotlb_flushes", c.iotlb_flushes);
    put("pv_table_pages", tables_.table_pages());
    if (pv_.costs().pibooster) {
      put("cache_hits", c.cache_hits);
      put("cache_misses", c.cache_misses);
      put("cache_puts", c.cache_puts);
      put("cache_overflows", c.cache_overflows);
      put("cache_pages_held", pv_.cached_pages());
    }
  }

 private:
  WalkCache pwc_;
  HostMappedTables tables_;
  PvPaging pv_;
  FlatU64Map<uint8_t> known_pids_{6};
  HostMappedTable* table_ = nullptr;
  uint32_t table_pid_ = 0;
};

}  // namespace hvsim
