// Open-addressing hash map from 64-bit integer keys, for frame-number lookups on the walk path:
// one multiply and usually one probe, no per-insert allocation.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/huge_page_allocator.h"

namespace hvsim {

template <class V>
class FlatU64Map {
 public:
  explicit FlatU64Map(unsigned log2_capacity = 10) { rehash(log2_capacity); }

  V* find(uint64_t key) {
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  const V* find(uint64_t key) const { return const_cast<FlatU64Map*>(this)->find(key); }

  // Inserts or overwrites; returns a reference to the stored value.
  V& insert(uint64_t key, V value) {
    if ((size_ + 1) * 4 > capacity() * 3) rehash(log2_ + 1);
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used) {
        s = Slot{key, value, true};
        ++size_;
        return s.value;
      }
      if (s.key == key) {
        s.value = value;
        return s.value;
      }
    }
  }

  // Backward-shift deletion keeps probe chains intact without tombstones.
  bool erase(uint64_t key) {
    size_t i = slot_of(key);
    for (;; i = (i + 1) & mask_) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) break;
    }
    size_t hole = i;
    for (size_t j = (hole + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
      size_t home = slot_of(slots_[j].key);
      // Move j into the hole if its home is not cyclically within (hole, j].
      bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!between) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].used = false;
    --size_;
    return true;
  }

  // Drops every entry (rehash alone would carry them over).
  void clear() {
    slots_.clear();
    rehash(4);
  }

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.used) f(s.key, s.value);
  }

 private:
  struct Slot {
    uint64_t key = 0;
    V value{};
    bool used = false;
  };

  size_t slot_of(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_); }

  void rehash(unsigned log2) {
    std::vector<Slot, HugePageAllocator<Slot>> old;
    old.swap(slots_);
    log2_ = log2;
    slots_.assign(size_t{1} << log2, Slot{});
    mask_ = slots_.size() - 1;
    shift_ = 64 - log2;
    size_ = 0;
    for (const Slot& s : old)
      if (s.used) insert(s.key, s.value);
  }

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  size_t mask_ = 0;
  unsigned shift_ = 0, log2_ = 0;
  size_t size_ = 0;
};

}  // namespace hvsim
