// Buddy placement of VM segments: a request is rounded up to a power of two of units and takes a
// naturally aligned block, as Linux's page allocator would hand it out (at most 2^kMaxOrder
// units: larger VMs never get one block). Wraps the frame BuddyAllocator the hypervisor uses.
#pragma once
#include "mem/buddy_allocator.h"
#include "mem/segment_allocator.h"

namespace hvsim {

class BuddySegmentAllocator final : public SegmentAllocator {
 public:
  explicit BuddySegmentAllocator(uint64_t units) : buddy_(0, units), units_(units) {}

  std::optional<Extent> allocate(uint64_t n) override;
  std::optional<Extent> allocate_piece(uint64_t n, bool lowest_address) override;
  bool take(const Extent& e) override;
  void release(const Extent& e) override;
  uint64_t free_units() const override { return buddy_.free_frames(); }
  uint64_t largest_allocatable() const override;
  uint64_t total_units() const override { return units_; }

 private:
  BuddyAllocator buddy_;
  uint64_t units_;
};

}  // namespace hvsim
