// The configuration of paging: table depths ([paging]) and page-walk caches ([pwc] for native
// and guest-dimension walks, [host_pwc] for the host dimension). Keys: paging_config.cpp.
#pragma once
#include <array>
#include <cstdint>

namespace hvsim {

struct PagingConfig {
  int guest_levels = 4;  // guest (and native) page tables: 4 or 5
  int host_levels = 4;   // host (EPT) page tables
};

struct WalkCacheConfig {
  // entries[l] caches entries read at level l (2 = PDE, 3 = PDPTE, 4 = PML4E, 5 = PML5E);
  // 0 disables that level.
  std::array<uint32_t, 6> entries{};
  uint32_t ways = 4;
  uint32_t hit_cycles = 1;
};

// One type per section, so that each is found by its type.
struct PwcConfig : WalkCacheConfig {};
struct HostPwcConfig : WalkCacheConfig {};

}  // namespace hvsim
