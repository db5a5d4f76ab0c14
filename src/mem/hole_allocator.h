// First-fit, best-fit and aligned placement over an exact list of free holes, indexed both by
// address (first-fit, coalescing) and by size (best-fit, the largest hole) so that every
// operation is O(log holes) but first-fit's walk over the address order.
#pragma once
#include <map>
#include <set>
#include <utility>

#include "mem/segment_allocator.h"

namespace hvsim {

class HoleAllocator final : public SegmentAllocator {
 public:
  HoleAllocator(AllocatorKind kind, uint64_t units, uint64_t align_units);

  std::optional<Extent> allocate(uint64_t n) override;
  std::optional<Extent> allocate_piece(uint64_t n, bool lowest_address) override;
  bool take(const Extent& e) override;
  void release(const Extent& e) override;
  uint64_t free_units() const override { return free_; }
  uint64_t largest_allocatable() const override;
  uint64_t total_units() const override { return units_; }

 private:
  void add_hole(uint64_t start, uint64_t length);
  void remove_hole(std::map<uint64_t, uint64_t>::iterator it);
  // Carves [start, start+n) out of the hole at `it`, which contains it.
  void carve(std::map<uint64_t, uint64_t>::iterator it, uint64_t start, uint64_t n);
  uint64_t align_up(uint64_t x) const { return (x + align_ - 1) / align_ * align_; }

  AllocatorKind kind_;
  uint64_t units_, align_, free_ = 0;
  std::map<uint64_t, uint64_t> by_address_;          // start -> length
  std::set<std::pair<uint64_t, uint64_t>> by_size_;  // (length, start)
};

}  // namespace hvsim
