#include "mem/hole_allocator.h"

#include <algorithm>

namespace hvsim {

HoleAllocator::HoleAllocator(AllocatorKind kind, uint64_t units, uint64_t align_units)
    : kind_(kind),
      units_(units),
      align_(kind == AllocatorKind::kAligned ? std::max<uint64_t>(align_units, 1) : 1) {
  if (units > 0) add_hole(0, units);
}

void HoleAllocator::add_hole(uint64_t start, uint64_t length) {
  by_address_.emplace(start, length);
  by_size_.emplace(length, start);
  free_ += length;
}

void HoleAllocator::remove_hole(std::map<uint64_t, uint64_t>::iterator it) {
  by_size_.erase({it->second, it->first});
  free_ -= it->second;
  by_address_.erase(it);
}

void HoleAllocator::carve(std::map<uint64_t, uint64_t>::iterator it, uint64_t start, uint64_t n) {
  const uint64_t hole_start = it->first, hole_end = it->first + it->second;
  remove_hole(it);
  if (start > hole_start) add_hole(hole_start, start - hole_start);
  if (start + n < hole_end) add_hole(start + n, hole_end - (start + n));
}

std::optional<Extent> HoleAllocator::allocate(uint64_t n) {
  if (n == 0) return std::nullopt;
  if (kind_ == AllocatorKind::kBestFit) {
    auto s = by_size_.lower_bound({n, 0});
    if (s == by_size_.end()) return std::nullopt;
    const uint64_t start = s->second;
    carve(by_address_.find(start), start, n);
    return Extent{start, n};
  }
  // First-fit and aligned: the lowest address where it fits (aligned: at a multiple of the
  // alignment, rounded up to whole aligned blocks, as 1 GiB pages would back it).
  const uint64_t need = align_up(n);
  for (auto it = by_address_.begin(); it != by_address_.end(); ++it) {
    const uint64_t start = align_up(it->first);
    if (start + need <= it->first + it->second) {
      carve(it, start, need);
      return Extent{start, need};
    }
  }
  return std::nullopt;
}

std::optional<Extent> HoleAllocator::allocate_piece(uint64_t n, bool lowest_address) {
  if (n == 0 || by_address_.empty()) return std::nullopt;
  if (kind_ != AllocatorKind::kAligned) {
    auto it = lowest_address ? by_address_.begin() : by_address_.find(by_size_.rbegin()->second);
    const uint64_t start = it->first, take_n = std::min(n, it->second);
    carve(it, start, take_n);
    return Extent{start, take_n};
  }
  // Aligned pieces are whole aligned blocks: the first (or largest) hole holding at least one.
  auto best = by_address_.end();
  uint64_t best_room = 0;
  for (auto it = by_address_.begin(); it != by_address_.end(); ++it) {
    const uint64_t start = align_up(it->first), end = it->first + it->second;
    const uint64_t room = start < end ? (end - start) / align_ * align_ : 0;
    if (room > best_room) {
      best = it, best_room = room;
      if (lowest_address) break;
    }
  }
  if (best == by_address_.end()) return std::nullopt;
  const uint64_t start = align_up(best->first), take_n = std::min(align_up(n), best_room);
  carve(best, start, take_n);
  return Extent{start, take_n};
}

bool HoleAllocator::take(const Extent& e) {
  if (e.length == 0) return true;
  auto it = by_address_.upper_bound(e.start);
  if (it == by_address_.begin()) return false;
  --it;
  if (e.start + e.length > it->first + it->second) return false;
  carve(it, e.start, e.length);
  return true;
}

void HoleAllocator::release(const Extent& e) {
  if (e.length == 0) return;
  uint64_t start = e.start, end = e.end();
  auto next = by_address_.lower_bound(start);
  if (next != by_address_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == start) {
      start = prev->first;
      remove_hole(prev);
    }
  }
  next = by_address_.lower_bound(end);
  if (next != by_address_.end() && next->first == end) {
    end += next->second;
    remove_hole(next);
  }
  add_hole(start, end - start);
}

uint64_t HoleAllocator::largest_allocatable() const {
  if (by_size_.empty()) return 0;
  if (kind_ != AllocatorKind::kAligned) return by_size_.rbegin()->first;
  uint64_t best = 0;
  for (const auto& [start, length] : by_address_) {
    const uint64_t s = align_up(start), end = start + length;
    if (s < end) best = std::max(best, (end - s) / align_ * align_);
  }
  return best;
}

}  // namespace hvsim
