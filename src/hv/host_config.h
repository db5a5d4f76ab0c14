// The hypervisor's configuration of host memory ([host]; keys in host_config.cpp): how guest
// memory is backed, shared by every scheme so they all see the same addresses.
#pragma once
#include <cstdint>
#include <vector>

#include "common/page_size.h"

namespace hvsim {

// With segment backing: contiguous host ranges backing guest-physical memory ((No)Compromis).
// `sizes` lists them from guest-physical 0 (guest memory past their sum is backed by pages);
// when empty, `count` equal segments cover all guest memory.
struct HostSegments {
  uint32_t count = 1;
  std::vector<uint64_t> sizes;
};

struct HostConfig {
  PageSize page_size = PageSize::k4K;
  uint64_t memory = 0;  // bytes; 0 = sized from the guest
  bool populate_eager = false;
  bool segment_backing = false;
  HostSegments segments;
};

}  // namespace hvsim
