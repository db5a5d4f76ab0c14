// The hypervisor side of Xen paravirtual direct paging, and PiBooster's changes to it (Zhang and
// Cheng, CLOUD 2016). Guest page tables hold machine frames and are read-only to the guest:
//  - every entry the guest writes is an mmu_update request that Xen validates; requests are
//    issued one hypercall each, or batched in multicalls of `batch`;
//  - a new page-table page is typed and validated as a page table and pinned (one mmuext_op
//    hypercall); a freed one is unpinned and devalidated;
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
#include "schemes/scheme_stats.h"

namespace hvsim {

struct PvCosts {
  uint32_t hypercall_cycles = 0;       // round trip of one hypercall (costs.hypercall_cycles)
  uint32_t batch = 1;                  // mmu_update requests per hypercall
  uint32_t validate_entry_cycles = 0;  // Xen's check of one mmu_update request
  uint32_t validate_page_cycles = 0;   // typing and validating a new page-table page
  uint32_t unpin_cycles = 0;           // devalidating a freed page-table page
  bool iommu = false;
  uint32_t iommu_update_cycles = 0;
  uint32_t iotlb_flush_cycles = 0;
  bool pibooster = false;
  uint32_t cache_pages = 0;    // PiBooster cache capacity
  uint32_t prefill_pages = 0;  // validated pages in the cache at the start
};

// Reads the [pv] keys (and [pv-pibooster] ones when `pibooster`) and rejects unknown ones.
PvCosts pv_costs(const Profile& p, bool pibooster);

struct PvCounters {
  uint64_t mmu_updates = 0;
  uint64_t update_hypercalls = 0;  // hypercalls (or multicalls) carrying mmu_update requests
  uint64_t pins = 0, unpins = 0;
  uint64_t base_switches = 0;  // CR3 loads (mmuext new_baseptr)
  uint64_t iommu_updates = 0, iotlb_flushes = 0;
  uint64_t cache_hits = 0, cache_misses = 0, cache_puts = 0, cache_overflows = 0;
};

class PvPaging {
 public:
  explicit PvPaging(const PvCosts& c)
      : c_(c), cached_(c.pibooster ? std::min(c.prefill_pages, c.cache_pages) : 0) {}

  // The guest wrote `n` entries of its page tables (one page fault's worth).
  void updates(SchemeStats& s, uint64_t n) {
    if (n == 0) return;
    counters.mmu_updates += n;
    uint64_t calls = (n + c_.batch - 1) / c_.batch;
    counters.update_hypercalls += calls;
    hypercalls(s, calls);
    s.hypervisor_cycles += n * c_.validate_entry_cycles;
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
    hypercalls(s, 1);
    s.hypervisor_cycles += c_.validate_page_cycles;
    type_change(s);
  }

  // The guest freed a page-table page (process exit, munmap of a whole table's range).
  void table_freed(SchemeStats& s) {
    if (c_.pibooster) {
      if (cached_ < c_.cache_pages) {  // kept validated for the next allocation
        ++cached_;
        ++counters.cache_puts;
        return;
      }
      ++counters.cache_overflows;
    }
    ++counters.unpins;
    hypercalls(s, 1);
    s.hypervisor_cycles += c_.unpin_cycles;
    type_change(s);
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
    s.hypervisor_cycles += n * c_.hypercall_cycles;
  }
  // A page changing type to or from page table, with the coarse (pre-PiBooster) validation.
  void type_change(SchemeStats& s) {
    if (!c_.iommu || c_.pibooster) return;
    ++counters.iommu_updates;
    ++counters.iotlb_flushes;
    s.hypervisor_cycles += c_.iommu_update_cycles + c_.iotlb_flush_cycles;
  }

  PvCosts c_;
  uint32_t cached_;
};

}  // namespace hvsim
