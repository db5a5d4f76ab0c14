// A set-associative array with LRU replacement: the building block of TLBs, page-walk caches
// and the nested TLB. Keys are 64-bit; the low bits choose the set. The ways of a set are stored
// together (key, payload, age) so a lookup touches one or two host cache lines.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/huge_page_allocator.h"

namespace hvsim {

template <class Payload>
class SetAssoc {
 public:
  static constexpr uint64_t kInvalid = ~0ull;

  SetAssoc() = default;
  // entries == 0 makes a cache that never hits.
  SetAssoc(uint32_t entries, uint32_t ways) { configure(entries, ways); }

  void configure(uint32_t entries, uint32_t ways) {
    if (entries == 0) {
      sets_ = ways_ = 0;
      ways_storage_.clear();
      return;
    }
    ways_ = ways == 0 || ways > entries ? entries : ways;
    sets_ = std::max(1u, entries / ways_);
    pow2_ = (sets_ & (sets_ - 1)) == 0;
    ways_storage_.assign(size_t{sets_} * ways_, Way{});
  }

  bool enabled() const { return sets_ != 0; }
  uint32_t entries() const { return sets_ * ways_; }

  // Returns the payload on a hit (and makes it most recently used), nullptr on a miss.
  Payload* lookup(uint64_t key) {
    if (!sets_) return nullptr;
    Way* set = set_of(key);
    for (uint32_t w = 0; w < ways_; ++w) {
      if (set[w].key == key) {
        set[w].stamp = ++clock_;
        return &set[w].payload;
      }
    }
    return nullptr;
  }

  // Inserts (or refreshes) `key`, evicting the least recently used way of its set.
  void insert(uint64_t key, const Payload& payload) {
    if (!sets_) return;
    Way* set = set_of(key);
    Way* victim = set;
    for (uint32_t w = 0; w < ways_; ++w) {
      if (set[w].key == key) {
        victim = &set[w];
        break;
      }
      if (set[w].stamp < victim->stamp) victim = &set[w];
    }
    *victim = Way{key, ++clock_, payload};
  }

  bool invalidate(uint64_t key) {
    if (!sets_) return false;
    Way* set = set_of(key);
    for (uint32_t w = 0; w < ways_; ++w) {
      if (set[w].key == key) {
        set[w] = Way{};
        return true;
      }
    }
    return false;
  }

  // Drops every entry for which pred(key, payload) holds.
  template <class Pred>
  uint64_t invalidate_if(Pred&& pred) {
    uint64_t n = 0;
    for (Way& w : ways_storage_) {
      if (w.key != kInvalid && pred(w.key, w.payload)) {
        w = Way{};
        ++n;
      }
    }
    return n;
  }

  void clear() { std::fill(ways_storage_.begin(), ways_storage_.end(), Way{}); }

 private:
  struct Way {
    uint64_t key = kInvalid;
    uint64_t stamp = 0;  // last use; 0 = never (invalid ways are chosen first)
    Payload payload{};
  };

  Way* set_of(uint64_t key) {
    size_t set = pow2_ ? (key & (sets_ - 1)) : (key % sets_);
    return &ways_storage_[set * ways_];
  }

  uint32_t sets_ = 0, ways_ = 0;
  bool pow2_ = true;
  uint64_t clock_ = 0;
  std::vector<Way, HugePageAllocator<Way>> ways_storage_;
};

}  // namespace hvsim
