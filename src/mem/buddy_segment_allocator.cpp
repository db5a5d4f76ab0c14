#include "mem/buddy_segment_allocator.h"

#include <bit>
#include <utility>
#include <vector>

namespace hvsim {
namespace {

int order_for(uint64_t n) { return n <= 1 ? 0 : static_cast<int>(std::bit_width(n - 1)); }

// The aligned blocks [start, start+length) is made of, largest first where alignment allows.
std::vector<std::pair<uint64_t, int>> blocks_of(const Extent& e) {
  std::vector<std::pair<uint64_t, int>> out;
  uint64_t s = e.start, left = e.length;
  while (left > 0) {
    int o = s == 0 ? BuddyAllocator::kMaxOrder : std::min(BuddyAllocator::kMaxOrder, std::countr_zero(s));
    while ((uint64_t{1} << o) > left) --o;
    out.emplace_back(s, o);
    s += uint64_t{1} << o;
    left -= uint64_t{1} << o;
  }
  return out;
}

}  // namespace

std::optional<Extent> BuddySegmentAllocator::allocate(uint64_t n) {
  const int order = order_for(n);
  if (n == 0 || order > BuddyAllocator::kMaxOrder) return std::nullopt;
  auto frame = buddy_.allocate(order);
  if (!frame) return std::nullopt;
  return Extent{*frame, uint64_t{1} << order};
}

std::optional<Extent> BuddySegmentAllocator::allocate_piece(uint64_t n, bool) {
  const int top = buddy_.largest_free_order();
  if (n == 0 || top < 0) return std::nullopt;
  // The whole rest if one block covers it, else the largest block there is.
  const int order = (uint64_t{1} << top) >= n ? order_for(n) : top;
  auto frame = buddy_.allocate(order);
  return Extent{*frame, uint64_t{1} << order};
}

bool BuddySegmentAllocator::take(const Extent& e) {
  if (e.end() > units_) return false;
  auto blocks = blocks_of(e);
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (buddy_.allocate_at(blocks[i].first, blocks[i].second)) continue;
    for (size_t j = 0; j < i; ++j) buddy_.free(blocks[j].first, blocks[j].second);
    return false;
  }
  return true;
}

void BuddySegmentAllocator::release(const Extent& e) {
  for (auto [frame, order] : blocks_of(e)) buddy_.free(frame, order);
}

uint64_t BuddySegmentAllocator::largest_allocatable() const {
  const int top = buddy_.largest_free_order();
  return top < 0 ? 0 : uint64_t{1} << top;
}

}  // namespace hvsim
