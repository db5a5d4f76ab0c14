// pv: Xen paravirtual direct paging (the baseline PiBooster improves on); see pv_scheme.h and
// hv/pv_paging.h. Keys: [pv] below; pv-pibooster reads them too.
#include "schemes/pv_scheme.h"
#include "schemes/scheme_details.h"

namespace hvsim {

HVSIM_CONFIG_SECTION(PvConfig, "pv", 0, "Xen PV direct paging (also read by pv-pibooster)") {
  s.integer("multicall_batch", &PvConfig::multicall_batch, 1, 4096)
      .unit("requests")
      .doc("requests per hypercall on the page-fault path (1: each update alone)");
  s.integer("lazy_mmu_batch", &PvConfig::lazy_mmu_batch, 1, 4096)
      .unit("requests")
      .doc("requests per multicall for OS events in lazy-MMU mode (fork, munmap, mprotect): MC_BATCH");
  s.integer("validate_entry_cycles", &PvConfig::validate_entry_cycles, 0, 1u << 30)
      .unit("cycles")
      .doc("Xen's validation of one update (assumed)");
  s.integer("validate_page_cycles", &PvConfig::validate_page_cycles, 0, 1u << 30)
      .unit("cycles")
      .doc("typing and validating a new page-table page on pin (assumed)");
  s.integer("unpin_cycles", &PvConfig::unpin_cycles, 0, 1u << 30)
      .unit("cycles")
      .doc("devalidating a freed page-table page (assumed)");
  s.flag("iommu", &PvConfig::iommu)
      .doc(
          "page-table type changes update the IOMMU and flush the IOTLB (costs.iommu_map_cycles, "
          "costs.iotlb_flush_cycles)");
}

PvCosts pv_costs(const Profile& p, bool pibooster) {
  const PvConfig& pv = p.section<PvConfig>();
  PvCosts c;
  c.batch = pv.multicall_batch;
  c.lazy_batch = pv.lazy_mmu_batch;
  c.validate_entry_cycles = pv.validate_entry_cycles;
  c.validate_page_cycles = pv.validate_page_cycles;
  c.unpin_cycles = pv.unpin_cycles;
  c.iommu = pv.iommu;
  if (pibooster) {
    c.pibooster = true;
    c.cache_pages = p.section<PiBoosterConfig>().cache_pages;
    c.prefill_pages = p.section<PiBoosterConfig>().prefill_pages;
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
