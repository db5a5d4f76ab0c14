// The geometry of the TLBs ([tlb], [nested_tlb]; keys declared in tlb_config.cpp).
#pragma once
#include <cstdint>

#include "common/page_size.h"

namespace hvsim {

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

// The nested TLB of two-dimensional walks (0 entries: none).
struct NestedTlbConfig {
  uint32_t entries = 0;
  uint32_t ways = 4;
};

}  // namespace hvsim
