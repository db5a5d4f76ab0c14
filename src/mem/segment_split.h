// A VM's memory as few host segments as possible: one extent when a hole holds it, else (unless
// refused) pieces taken largest-first or in address order, up to the VM's segment-register
// budget ((No)Compromis gives a VM a small fixed number of segment registers).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mem/segment_allocator.h"

namespace hvsim {

enum class SplitOrder : uint8_t { kRefuse, kLargestFirst, kAddressOrder };

// Extents covering at least n units, at most `max_segments` of them; empty, with nothing taken,
// when they cannot be had.
std::vector<Extent> allocate_segments(SegmentAllocator& alloc, uint64_t n, uint32_t max_segments,
                                      SplitOrder order);

}  // namespace hvsim
