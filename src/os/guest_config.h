// The guest OS model's configuration ([guest]; keys in guest_config.cpp).
#pragma once
#include <cstdint>

namespace hvsim {

enum class GuestPagePolicy : uint8_t { k4K, k2M, k1G, kThp };

struct GuestConfig {
  GuestPagePolicy page_size = GuestPagePolicy::k4K;
  uint64_t memory = 0;  // bytes; 0 = sized from the workload
  // Back each process's primary region (its first mmap) with contiguous guest-physical memory,
  // as a direct-segment OS does (Basu et al., ISCA 2013).
  bool direct_segment = false;
};

}  // namespace hvsim
