// pv-pibooster: Xen PV direct paging with PiBooster (Zhang and Cheng, CLOUD 2016): a cache of
// validated page-table pages serves page-table allocations and frees without validation or
// pin/unpin, and fine-grained validation keeps page-table typing away from the IOMMU, so type
// changes no longer flush the IOTLB. Reads the [pv] keys plus [pv-pibooster] below.
#include "schemes/pv_scheme.h"

namespace hvsim {

HVSIM_CONFIG_SECTION(PiBoosterConfig, "pv-pibooster", 0, "PiBooster's cache of validated page-table pages") {
  s.integer("cache_pages", &PiBoosterConfig::cache_pages, 0, 1u << 24)
      .unit("pages")
      .doc("capacity of the cache of validated page-table pages");
  s.integer("prefill_pages", &PiBoosterConfig::prefill_pages, 0, 1u << 24)
      .unit("pages")
      .doc("validated pages in the cache when measurement starts");
}

HVSIM_REGISTER_SCHEME(pv_pibooster, "pv-pibooster",
                      "Xen PV direct paging with PiBooster's page-table page cache and split validation", 11,
                      [](SchemeContext& ctx) { return std::make_unique<PvScheme>(ctx, true); });

}  // namespace hvsim
