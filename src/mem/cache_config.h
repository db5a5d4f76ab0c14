// The geometry of the data and page-table-entry caches ([cache]; keys in cache_config.cpp).
#pragma once
#include <cstdint>

namespace hvsim {

struct CacheLevelConfig {
  uint64_t size_bytes = 0;  // 0 = level absent
  uint32_t ways = 8;
  uint32_t latency_cycles = 0;
};

struct CacheHierarchyConfig {
  CacheLevelConfig l1, l2, llc;
  uint32_t dram_cycles = 200;
  uint32_t line_bytes = 64;
  bool data_accesses = true;  // data accesses also go through the model, not only table entries
};

}  // namespace hvsim
