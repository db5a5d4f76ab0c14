// The hypervisor side of Xen paravirtual direct paging, and PiBooster's changes to it (Zhang and
// Cheng, CLOUD 2016). Guest page tables hold machine frames and are read-only to the guest:
//  - every entry the guest writes is an mmu_update request that Xen validates; requests are
//    issued one hypercall each, or batched in multicalls of `batch`;
//  - TLB invalidations and flushes are mmuext_op requests, queued with the updates;
//  - a new page-table page is typed and validated as a page table and pinned (one mmuext_op
//    hypercall); a freed one is unpinned and devalidated; an exiting address space is unpinned
//    whole first, so its clears need no validation;
//  - a CR3 load is an mmuext_op; a DMA map/unmap is a hypercall checking the page's type;
//  - with an IOMMU, a page changing type to or from page table must lose (regain) its DMA
//    mapping: an IOMMU update and an IOTLB flush per change.
// PiBooster keeps a cache of already-validated page-table pages: an allocation served from it,
// or a free that fits in it, skips validation and pin/unpin. Its fine-grained validation checks
// page-table use and DMA use separately (DMA targets are checked when DMA is set up), so typing a
// page as a page table no longer touches the IOMMU.
#pragma once
#include <algorithm>
#include <cstdint>

#include "common/profile.h"
#include "common/scheme_stats.h"

namespace hvsim {

struct PvCosts {
  uint32_t batch = 1;                  // requests per hypercall on the page-fault path
  uint32_t lazy_batch = 32;            // requests per multicall in lazy-MMU mode (fork, munmap…)
  uint32_t validate_entry_cycles = 0;  // Xen's check of one mmu_update request
  uint32_t validate_page_cycles = 0;   // typing and validating a new page-table page
  uint32_t unpin_cycles = 0;           // devalidating a freed page-table page
  bool iommu = false;                  // priced by costs.iommu_map_cycles and costs.iotlb_flush_cycles
  bool pibooster = false;
  uint32_t cache_pages = 0;    // PiBooster cache capacity
  uint32_t prefill_pages = 0;  // validated pages in the cache at the start
};

// Reads the [pv] keys (and [pv-pibooster] ones when `pibooster`) and rejects unknown ones.
PvCosts pv_costs(const Profile& p, bool pibooster);

struct PvCounters {
  uint64_t mmu_updates = 0;
  uint64_t mmuext_ops = 0;         // TLB invalidations and flushes requested from Xen
  uint64_t update_hypercalls = 0;  // hypercalls (or multicalls) carrying those requests
  uint64_t pins = 0, unpins = 0;   // page-table pages validated / devalidated
  uint64_t pgd_unpins = 0;         // whole address spaces unpinned before teardown (exit, exec)
  uint64_t base_switches = 0;      // CR3 loads (mmuext new_baseptr)
  uint64_t dma_validations = 0;    // DMA map/unmap hypercalls
  uint64_t iommu_updates = 0, iotlb_flushes = 0;
  uint64_t cache_hits = 0, cache_misses = 0, cache_puts = 0, cache_overflows = 0;
};

class PvPaging {
 public:
  explicit PvPaging(const PvCosts& c)
      : c_(c), cached_(c.pibooster ? std::min(c.prefill_pages, c.cache_pages) : 0) {}

  // The guest wrote `n` entries of its page tables and asked for `ext` TLB invalidations or
  // flushes (mmuext_op), all queued together: one page fault's or, with `lazy` (the kernel's
  // lazy-MMU sections: fork's copy, munmap, mprotect), one OS event's worth.
  void updates(SchemeStats& s, uint64_t n, uint64_t ext, bool lazy = false) {
    if (n + ext == 0) return;
    counters.mmu_updates += n;
    counters.mmuext_ops += ext;
    const uint64_t batch = lazy ? c_.lazy_batch : c_.batch;
    uint64_t calls = (n + ext + batch - 1) / batch;
    counters.update_hypercalls += calls;
    hypercalls(s, calls);
    s.charge_cycles(Account::kHypervisor, n * c_.validate_entry_cycles);
  }

  // The guest allocated a page-table page.
  void table_allocated(SchemeStats& s) {
    if (c_.pibooster) {
      if (cached_ > 0) {  // already typed, validated and out of the IOMMU
        --cached_;
        ++counters.cache_hits;
        return;
      }
      ++counters.cache_misses;
    }
    ++counters.pins;
    PtAllocScope tables(s);
    hypercalls(s, 1);
    s.charge_cycles(Account::kHypervisor, c_.validate_page_cycles);
    type_change(s);
  }

  // The guest freed a page-table page of a live address space (munmap): unpinned alone.
  void table_freed(SchemeStats& s) {
    if (keep_in_cache()) return;
    PtAllocScope tables(s);
    hypercalls(s, 1);
    devalidate(s);
  }

  // An address space torn down (exit, exec) with `pages` table pages. Linux PV guests unpin the
  // whole pgd first (xen_exit_mmap): the clears that follow are plain writes, and one mmuext_op
  // returns every page to writable memory, each changing type. PiBooster keeps what fits in its
  // cache validated, so only the overflow is unpinned.
  void teardown(SchemeStats& s, uint64_t pages) {
    uint64_t unpinned = 0;
    for (uint64_t i = 0; i < pages; ++i)
      if (!keep_in_cache()) ++unpinned;
    if (unpinned == 0) return;
    PtAllocScope tables(s);
    ++counters.pgd_unpins;
    hypercalls(s, 1);
    for (uint64_t i = 0; i < unpinned; ++i) devalidate(s);
  }

  // A DMA map or unmap: a hypercall in which Xen checks that the page is not a page table and,
  // with an IOMMU, updates its mapping.
  void dma(SchemeStats& s) {
    ++counters.dma_validations;
    hypercalls(s, 1);
    s.charge_cycles(Account::kHypervisor, c_.validate_entry_cycles);
    if (!c_.iommu) return;
    ++counters.iommu_updates;
    s.charge(Account::kHypervisor, Cost::kIommuMap);
  }

  // A CR3 load is an mmuext_op hypercall under PV.
  void base_switch(SchemeStats& s) {
    ++counters.base_switches;
    hypercalls(s, 1);
  }

  uint32_t cached_pages() const { return cached_; }
  const PvCosts& costs() const { return c_; }
  PvCounters counters;

 private:
  void hypercalls(SchemeStats& s, uint64_t n) {
    s.hypercalls += n;
    s.charge(Account::kHypervisor, Cost::kHypercall, n);
  }
  // PiBooster: a freed page-table page goes to the cache (still validated) if there is room.
  bool keep_in_cache() {
    if (!c_.pibooster) return false;
    if (cached_ < c_.cache_pages) {
      ++cached_;
      ++counters.cache_puts;
      return true;
    }
    ++counters.cache_overflows;
    return false;
  }
  void devalidate(SchemeStats& s) {
    ++counters.unpins;
    s.charge_cycles(Account::kHypervisor, c_.unpin_cycles);
    type_change(s);
  }
  // A page changing type to or from page table, with the coarse (pre-PiBooster) validation: its
  // DMA mapping changes, and the IOTLB must drop the old one.
  void type_change(SchemeStats& s) {
    if (!c_.iommu || c_.pibooster) return;
    ++counters.iommu_updates;
    ++counters.iotlb_flushes;
    ++s.iotlb_flushes;
    s.charge(Account::kHypervisor, Cost::kIommuMap);
    s.charge(Account::kHypervisor, Cost::kIotlbFlush);
  }

  PvCosts c_;
  uint32_t cached_;
};

}  // namespace hvsim
