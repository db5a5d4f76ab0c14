// pv: Xen paravirtual direct paging (the baseline PiBooster improves on); see pv_scheme.h and
// hv/pv_paging.h. Keys ([pv]), all in cycles unless said:
//   multicall_batch        requests per hypercall on the page-fault path (1: each update alone)
//   lazy_mmu_batch         requests per multicall for OS events, which Linux runs in lazy-MMU
//                          mode (fork's copy_page_range, munmap, mprotect): 32, MC_BATCH in
//                          arch/x86/xen/multicalls.c
//   validate_entry_cycles  Xen's validation of one update (assumed)
//   validate_page_cycles   typing and validating a new page-table page on pin (assumed)
//   unpin_cycles           devalidating a freed page-table page (assumed)
//   iommu                  true: page-table type changes update the IOMMU and flush the IOTLB
//                          (priced by costs.iommu_map_cycles and costs.iotlb_flush_cycles)
#include "common/error.h"
#include "schemes/pv_scheme.h"
#include "schemes/scheme_details.h"

namespace hvsim {

PvCosts pv_costs(const Profile& p, bool pibooster) {
  check_scheme_keys(p, "pv",
                    {"multicall_batch", "lazy_mmu_batch", "validate_entry_cycles", "validate_page_cycles",
                     "unpin_cycles", "iommu"});
  auto u32 = [&p](const char* key, uint64_t fallback) {
    return static_cast<uint32_t>(scheme_param_u64(p, key, fallback, 0, 1u << 30));
  };
  PvCosts c;
  c.batch = static_cast<uint32_t>(scheme_param_u64(p, "pv.multicall_batch", 1, 1, 4096));
  c.lazy_batch = static_cast<uint32_t>(scheme_param_u64(p, "pv.lazy_mmu_batch", 32, 1, 4096));
  c.validate_entry_cycles = u32("pv.validate_entry_cycles", 150);
  c.validate_page_cycles = u32("pv.validate_page_cycles", 2000);
  c.unpin_cycles = u32("pv.unpin_cycles", 2000);
  auto it = p.extras.find("pv.iommu");
  if (it != p.extras.end()) {
    if (it->second == "true" || it->second == "1")
      c.iommu = true;
    else if (it->second == "false" || it->second == "0")
      c.iommu = false;
    else
      throw InputError("pv.iommu: '" + it->second + "' is not valid; expected true or false");
  }
  if (pibooster) {
    check_scheme_keys(p, "pv-pibooster", {"cache_pages", "prefill_pages"});
    c.pibooster = true;
    c.cache_pages = static_cast<uint32_t>(scheme_param_u64(p, "pv-pibooster.cache_pages", 1024, 0, 1u << 24));
    c.prefill_pages =
        static_cast<uint32_t>(scheme_param_u64(p, "pv-pibooster.prefill_pages", 0, 0, 1u << 24));
  }
  return c;
}

HVSIM_REGISTER_SCHEME(
    pv, "pv", "Xen PV direct paging: guest tables hold machine frames, updates are validated hypercalls", 10,
    [](SchemeContext& ctx) { return std::make_unique<PvScheme>(ctx, false); });

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(
    pv_details, {"mmu_updates", "requests", "mmu_update requests (guest page-table writes validated by Xen)"},
    {"mmuext_ops", "requests", "TLB invalidations and flushes requested from Xen"},
    {"update_hypercalls", "hypercalls", "hypercalls or multicalls carrying those requests"},
    {"pins", "pages", "page-table pages validated and pinned"},
    {"unpins", "pages", "page-table pages devalidated"},
    {"pgd_unpins", "address spaces", "whole address spaces unpinned before teardown (exit, exec)"},
    {"base_switches", "hypercalls", "CR3 loads (mmuext new_baseptr)"},
    {"dma_validations", "hypercalls", "DMA map/unmap hypercalls"},
    {"iommu_updates", "updates", "IOMMU mapping updates"},
    {"iotlb_flushes", "flushes", "IOTLB flushes after page-type changes"},
    {"pv_table_pages", "pages", "guest table pages at the end", DetailKind::kLevel},
    {"cache_hits", "pages", "PiBooster: table pages served validated from its cache"},
    {"cache_misses", "pages", "PiBooster: table pages its cache could not serve"},
    {"cache_puts", "pages", "PiBooster: freed table pages kept validated in its cache"},
    {"cache_overflows", "pages", "PiBooster: freed table pages its full cache could not keep"},
    {"cache_pages_held", "pages", "PiBooster: validated pages in its cache at the end", DetailKind::kLevel});

}  // namespace hvsim
