#include "mem/buddy_allocator.h"

namespace hvsim {

BuddyAllocator::BuddyAllocator(uint64_t first_frame, uint64_t frame_count)
    : first_frame_(first_frame), frame_count_(frame_count) {
  // Most orders never hold more than a few free blocks, and schemes keep one allocator per GiB
  // of their table pools: start every free set small (the default is 16KiB each).
  for (auto& set : free_set_) set = FlatU64Map<uint8_t>(2);
  // Carve the range into the largest aligned blocks that fit, highest addresses pushed first so
  // that allocation proceeds upward from the start of the range.
  const uint64_t end = first_frame + frame_count;
  auto largest_order = [end](uint64_t f) {
    int order = kMaxOrder;
    while (order > 0 && ((f & ((uint64_t{1} << order) - 1)) != 0 || f + (uint64_t{1} << order) > end))
      --order;
    return order;
  };
  // Huge simulated memories mean many blocks: count them and reserve their bookkeeping (the
  // list below, a stack slot, a free-set slot at the map's worst load) before building anything.
  uint64_t count = 0;
  for (uint64_t f = first_frame; f < end; f += uint64_t{1} << largest_order(f)) ++count;
  const uint64_t fixed = sizeof(*this) + (kMaxOrder + 1) * 4 * 16;  // the object and its small free sets
  charge_.add(fixed + count * (sizeof(std::pair<uint64_t, int>) + sizeof(uint64_t) + 48));
  std::vector<std::pair<uint64_t, int>> blocks;
  blocks.reserve(count);
  for (uint64_t f = first_frame; f < end; f += uint64_t{1} << blocks.back().second)
    blocks.emplace_back(f, largest_order(f));
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) push_free(it->first, it->second);
  charge_.set(fixed + count * (sizeof(uint64_t) + 48));  // the list goes away
}

void BuddyAllocator::push_free(uint64_t frame, int order) {
  stack_[order].push_back(frame);
  free_set_[order].insert(frame, 1);
  free_frames_ += uint64_t{1} << order;
}

bool BuddyAllocator::take_free(uint64_t frame, int order) {
  if (!free_set_[order].erase(frame)) return false;
  free_frames_ -= uint64_t{1} << order;
  return true;
}

std::optional<uint64_t> BuddyAllocator::allocate(int order) {
  for (int o = order; o <= kMaxOrder; ++o) {
    auto& st = stack_[o];
    while (!st.empty()) {
      uint64_t frame = st.back();
      st.pop_back();
      if (!take_free(frame, o)) continue;  // stale: merged away since it was pushed
      // Split down to the requested order, keeping the lower half each time.
      for (int s = o; s > order; --s) push_free(frame + (uint64_t{1} << (s - 1)), s - 1);
      return frame;
    }
  }
  return std::nullopt;
}

bool BuddyAllocator::allocate_at(uint64_t frame, int order) {
  for (int o = order; o <= kMaxOrder; ++o) {
    uint64_t base = frame & ~((uint64_t{1} << o) - 1);
    if (!take_free(base, o)) continue;
    // Split down to the wanted block, freeing the halves that do not hold it.
    while (o > order) {
      --o;
      const uint64_t half = uint64_t{1} << o;
      if (frame >= base + half) {
        push_free(base, o);
        base += half;
      } else {
        push_free(base + half, o);
      }
    }
    return true;
  }
  return false;
}

int BuddyAllocator::largest_free_order() const {
  for (int o = kMaxOrder; o >= 0; --o)
    if (free_set_[o].size() > 0) return o;
  return -1;
}

void BuddyAllocator::free(uint64_t frame, int order) {
  while (order < kMaxOrder) {
    uint64_t buddy = frame ^ (uint64_t{1} << order);  // blocks are aligned in absolute frame numbers
    if (buddy < first_frame_ || buddy + (uint64_t{1} << order) > first_frame_ + frame_count_ ||
        !take_free(buddy, order))
      break;
    frame = frame < buddy ? frame : buddy;
    ++order;
  }
  push_free(frame, order);
}

}  // namespace hvsim
