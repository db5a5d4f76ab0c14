#include "paging/paging_config.h"

#include <fmt/format.h>

#include "common/config_registry.h"
#include "common/set_assoc_geometry.h"

namespace hvsim {
namespace {

constexpr uint32_t kMax = 1u << 30;
const char* const kLevelNames[] = {"", "", "pde", "pdpte", "pml4e", "pml5e"};

template <class T>
void walk_cache_keys(SectionDecl<T>& s, const std::string& section, const char* dimension) {
  for (int l = 2; l <= 5; ++l)
    s.integer(
         fmt::format("{}_entries", kLevelNames[l]), [l](T & c) -> auto& { return c.entries[l]; }, 0, kMax)
        .unit("entries")
        .doc(fmt::format("{}page-walk cache entries for level-{} entries (0 = none)", dimension, l));
  s.integer("ways", &T::ways, 1, kMax).unit("ways").doc("page-walk cache associativity");
  s.integer("hit_cycles", &T::hit_cycles, 0, kMax).unit("cycles").doc("cycles of a page-walk cache hit");
  s.check([section](const T& c) {
    for (int l = 2; l <= 5; ++l)
      check_whole_sets(fmt::format("{}.{}_entries", section, kLevelNames[l]), c.entries[l], section + ".ways",
                       c.ways);
  });
  s.structures([section](const T& c, StructureSizes& out) {
    for (int l = 2; l <= 5; ++l)
      add_set_assoc_bytes(out, fmt::format("{}.{}_entries", section, kLevelNames[l]), c.entries[l], c.ways);
  });
}

}  // namespace

HVSIM_CONFIG_SECTION(PagingConfig, "paging", 60, "page-table depths") {
  s.integer("guest_levels", &PagingConfig::guest_levels, 4, 5)
      .unit("levels")
      .doc("levels of guest (and native) page tables: 4 or 5");
  s.integer("host_levels", &PagingConfig::host_levels, 4, 5)
      .unit("levels")
      .doc("levels of host (EPT) page tables: 4 or 5");
}

HVSIM_CONFIG_SECTION(PwcConfig, "pwc", 30, "page-walk caches of native and guest-dimension walks") {
  walk_cache_keys(s, "pwc", "");
}

HVSIM_CONFIG_SECTION(HostPwcConfig, "host_pwc", 31, "page-walk caches of the host dimension of 2D walks") {
  walk_cache_keys(s, "host_pwc", "host-dimension ");
}

}  // namespace hvsim
