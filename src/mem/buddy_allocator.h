// Binary buddy allocator over a range of physical frames, as Linux and Xen allocate memory.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "common/flat_map.h"
#include "common/memory_budget.h"

namespace hvsim {

class BuddyAllocator {
 public:
  static constexpr int kMaxOrder = 18;  // 2^18 frames of 4 KiB = 1 GiB

  // Manages frames [first_frame, first_frame + frame_count).
  BuddyAllocator(uint64_t first_frame, uint64_t frame_count);

  // First frame of a free, naturally aligned block of 2^order frames; nullopt when none is left.
  std::optional<uint64_t> allocate(int order);
  void free(uint64_t frame, int order);
  // Takes the specific block of 2^order frames at `frame` (aligned) out of whatever free block
  // holds it, splitting that block; false when it is not wholly free. For reserved regions and
  // pinned pages, and to put a block back exactly where it was.
  bool allocate_at(uint64_t frame, int order);
  // The highest order with a free block; -1 when nothing is free.
  int largest_free_order() const;

  uint64_t free_frames() const { return free_frames_; }
  uint64_t total_frames() const { return frame_count_; }

 private:
  bool take_free(uint64_t frame, int order);  // removes a specific free block if present
  void push_free(uint64_t frame, int order);

  uint64_t first_frame_, frame_count_, free_frames_ = 0;
  // Per order: a stack of candidate blocks (may hold stale entries) and the set of truly free ones.
  std::vector<uint64_t> stack_[kMaxOrder + 1];
  FlatU64Map<uint8_t> free_set_[kMaxOrder + 1];
  BudgetCharge<MemoryUse::kFrames> charge_;  // the initial free blocks, sized by the memory managed
};

}  // namespace hvsim
