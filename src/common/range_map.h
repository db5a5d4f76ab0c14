// Sets of disjoint address ranges kept as an ordered map start -> end (mapped regions, read-only
// ranges), and a plain range value.
#pragma once
#include <cstdint>
#include <map>

namespace hvsim {

using RangeMap = std::map<uint64_t, uint64_t>;

// [start, end); empty when end <= start.
struct AddressRange {
  uint64_t start = 0, end = 0;
  bool empty() const { return end <= start; }
};

// Removes [start, end) from `ranges`, trimming or splitting the ranges it overlaps.
inline void erase_range(RangeMap& ranges, uint64_t start, uint64_t end) {
  RangeMap kept;
  for (auto [s, e] : ranges) {
    if (e <= start || s >= end) {
      kept[s] = e;
      continue;
    }
    if (s < start) kept[s] = start;
    if (e > end) kept[end] = e;
  }
  ranges.swap(kept);
}

}  // namespace hvsim
