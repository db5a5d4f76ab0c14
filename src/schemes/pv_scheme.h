// The scheme shared by pv and pv-pibooster: Xen PV direct paging. The hardware walks the
// guest's own tables, which hold machine frames: one dimension, g references, no EPT. hvsim
// keeps those machine-frame tables as gVA -> hPA tables beside the guest's (the guest's entries
// translated through the VM's memory map), written when the guest writes its entries; what the
// hypervisor does for each write and each page-table page comes from PvPaging.
#pragma once
#include "hv/host_mapped_tables.h"
#include "hv/pv_paging.h"
#include "paging/walker.h"
#include "schemes/follow_guest.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {

// [pv] (pv.cpp), read by both PV schemes.
struct PvConfig {
  uint32_t multicall_batch = 1;
  uint32_t lazy_mmu_batch = 32;  // MC_BATCH in arch/x86/xen/multicalls.c
  uint32_t validate_entry_cycles = 150;
  uint32_t validate_page_cycles = 2000;
  uint32_t unpin_cycles = 2000;
  bool iommu = false;
};

// [pv-pibooster] (pv_pibooster.cpp).
struct PiBoosterConfig {
  uint32_t cache_pages = 1024;
  uint32_t prefill_pages = 0;
};

class PvScheme final : public TlbScheme<PvScheme> {
 public:
  PvScheme(SchemeContext& ctx, bool pibooster)
      : TlbScheme(ctx),
        pwc_(ctx.profile.section<PwcConfig>()),
        tables_(ctx.machine.hypervisor(), ctx.machine.pool_bytes(),
                ctx.profile.section<PagingConfig>().guest_levels),
        pv_(pv_costs(ctx.profile, pibooster)) {}

  Translation<HostPhysAddr> walk(const Event& ev) {
    if (ev.pid != table_pid_ || !table_) {
      table_ = tables_.find(ev.pid);
      table_pid_ = ev.pid;
    }
    if (!table_) return Translation<HostPhysAddr>::fault({});
    return walk_1d(*table_, GuestVirtAddr(ev.addr), space().pcid, pwc_, cache_).translation();
  }

  void on_guest_fault(const Event& ev, const Effect& fx) {
    // A PV domain's memory is all allocated when it is built: no population exits. Every table
    // page the guest allocates (a new process's root included) is validated and pinned; the
    // entries it writes and, for a copy-on-write, the stale page's INVLPG are queued together.
    for (size_t t = 0; t < fx.tables_allocated().size(); ++t) pv_.table_allocated(stats);
    pv_.updates(stats, fx.writes().size(), fx.invalidations().size());
    if (fx->fault.kind == FaultKind::kProtection) return;
    tables_.map_guest_page(
        space(), GuestVirtAddr(ev.addr), [](HostPhysAddr, PageSize) {}, [](uint64_t) {});
  }

  void on_os_event(const Effect& fx) {
    if (fx->device_mapping) pv_.dma(stats);
    if (fx->space.gone()) {
      // The pgd is unpinned first (xen_exit_mmap): the clears are plain stores, each freed table
      // page changes type back; the TLB goes with the address space.
      pv_.teardown(stats, fx.tables_freed().size());
    } else {
      const uint64_t flush = fx->flush_pcid ? 1 : 0;
      pv_.updates(stats, fx.writes().size(), fx.invalidations().size() + flush, true);
      for (size_t t = 0; t < fx.tables_freed().size(); ++t) pv_.table_freed(stats);
    }
    for (size_t t = 0; t < fx.tables_allocated().size(); ++t) pv_.table_allocated(stats);
    // The machine-frame tables follow the guest's (the hardware walks the guest's own tables).
    auto nop_leaf = [](HostPhysAddr, PageSize) {};
    auto nop_table = [](uint64_t) {};
    if (follow_guest(tables_, fx, machine_.guest(), nop_leaf, nop_table)) {
      if (const AddressSpace* as = machine_.guest().find_space(fx->pid)) pwc_.flush_asid(as->pcid);
    }
    table_ = nullptr;  // the table of a process that went away was freed
  }

  void on_switch(const AddressSpace&) { pv_.base_switch(stats); }
  void flush_walk_caches(uint16_t pcid) { pwc_.flush_asid(pcid); }

  void finish() override {
    const PvCounters& c = pv_.counters;
    auto put = [this](const char* k, uint64_t v) { stats.details[k] = static_cast<double>(v); };
    put("mmu_updates", c.mmu_updates);
    put("mmuext_ops", c.mmuext_ops);
    put("update_hypercalls", c.update_hypercalls);
    put("pins", c.pins);
    put("unpins", c.unpins);
    put("pgd_unpins", c.pgd_unpins);
    put("base_switches", c.base_switches);
    put("dma_validations", c.dma_validations);
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
  HostMappedTable* table_ = nullptr;
  uint32_t table_pid_ = 0;
};

}  // namespace hvsim
