// The geometry of the machine's translation and cache structures, as a profile gives it: plain
// data, so the profile (in common) can hold it while the structures live in their own layers.
#pragma once
#include <array>
#include <cstdint>

#include "common/page_size.h"

namespace hvsim {

// TLBs (tlb/tlb_hierarchy.h).
struct TlbLevelConfig {
  uint32_t entries = 0;
  uint32_t ways = 0;
};

struct TlbConfig {
  TlbLevelConfig l1[kPageSizeCount];  // 4K, 2M, 1G
  TlbLevelConfig l2;                  // 4K and 2M
  TlbLevelConfig l2_1g;
  uint32_t l2_hit_cycles = 9;
};

// Page-walk caches (paging/walk_cache.h).
struct WalkCacheConfig {
  // entries[l] caches entries read at level l (2 = PDE, 3 = PDPTE, 4 = PML4E, 5 = PML5E);
  // 0 disables that level.
  std::array<uint32_t, 6> entries{};
  uint32_t ways = 4;
  uint32_t hit_cycles = 1;
};

// Data and page-table-entry caches (mem/cache_hierarchy.h).
struct CacheLevelConfig {
  uint64_t size_bytes = 0;  // 0 = level absent
  uint32_t ways = 8;
  uint32_t latency_cycles = 0;
};

struct CacheHierarchyConfig {
  CacheLevelConfig l1, l2, llc;
  uint32_t dram_cycles = 200;
  uint32_t line_bytes = 64;
};

}  // namespace hvsim
