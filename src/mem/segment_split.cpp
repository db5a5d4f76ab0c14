#include "mem/segment_split.h"

namespace hvsim {

std::vector<Extent> allocate_segments(SegmentAllocator& alloc, uint64_t n, uint32_t max_segments,
                                      SplitOrder order) {
  std::vector<Extent> out;
  if (n == 0 || max_segments == 0) return out;
  if (auto one = alloc.allocate(n)) {
    out.push_back(*one);
    return out;
  }
  if (order == SplitOrder::kRefuse || max_segments < 2 || alloc.free_units() < n) return out;
  uint64_t left = n;
  while (left > 0 && out.size() < max_segments) {
    auto piece = alloc.allocate_piece(left, order == SplitOrder::kAddressOrder);
    if (!piece) break;
    out.push_back(*piece);
    left -= piece->length < left ? piece->length : left;
  }
  if (left > 0) {
    for (const Extent& e : out) alloc.release(e);
    out.clear();
  }
  return out;
}

}  // namespace hvsim
