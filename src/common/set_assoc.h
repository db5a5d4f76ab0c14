// A set-associative array with LRU replacement: the building block of TLBs, page-walk caches
// and the nested TLB. Keys are 64-bit; the low bits choose the set. Each set keeps its ways in
// recency order (a ring from the set's head), so a hit on the most recent way costs one compare
// and a miss replaces the least recent way without moving the others.
#pragma once
#ifdef __AVX2__
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/huge_page_allocator.h"
#include "common/memory_budget.h"

namespace hvsim {

template <class Payload>
class SetAssoc {
 public:
  static constexpr uint64_t kInvalid = ~0ull;

  SetAssoc() = default;
  // entries == 0 makes a cache that never hits.
  SetAssoc(uint32_t entries, uint32_t ways) { configure(entries, ways); }

  void configure(uint32_t entries, uint32_t ways) {
    // Reserved before allocating: a size the memory budget cannot hold fails here.
    charge_.set(uint64_t{entries} * (8 + sizeof(Payload)) + 4 * uint64_t{entries} / std::max(1u, ways));
    if (entries == 0) {
      sets_ = ways_ = 0;
      keys_.clear();
      payloads_.clear();
      heads_.clear();
      return;
    }
    ways_ = ways == 0 || ways > entries ? entries : ways;
    sets_ = std::max(1u, entries / ways_);
    pow2_ = (sets_ & (sets_ - 1)) == 0;
    keys_.assign(size_t{sets_} * ways_ + kKeysPerCompare, kInvalid);  // find() reads whole vectors
    payloads_.assign(size_t{sets_} * ways_, Payload{});
    heads_.assign(sets_, 0);
  }

  bool enabled() const { return sets_ != 0; }
  uint32_t entries() const { return sets_ * ways_; }

  // Returns the payload on a hit (and makes it most recently used), nullptr on a miss.
  Payload* lookup(uint64_t key) {
    if (!sets_) return nullptr;
    const size_t set = set_of(key), base = set * ways_;
    const uint32_t head = heads_[set];
    if (keys_[base + head] == key) return &payloads_[base + head];
    const uint32_t w = find(base, key);
    if (w == ways_) return nullptr;
    to_front(base, head, w);
    return &payloads_[base + head];
  }

  // Inserts `key` as most recently used, evicting the least recently used way of its set (or
  // refreshing `key` if present).
  void insert(uint64_t key, const Payload& payload) {
    if (!sets_) return;
    const size_t set = set_of(key), base = set * ways_;
    uint32_t head = heads_[set];
    const uint32_t w = find(base, key);
    if (w < ways_) {
      to_front(base, head, w);
    } else {
      head = heads_[set] = static_cast<uint32_t>(head == 0 ? ways_ - 1 : head - 1);  // the LRU slot
    }
    keys_[base + head] = key;
    payloads_[base + head] = payload;
  }

  // Inserts a key the caller knows is absent (it just missed): no search.
  void insert_absent(uint64_t key, const Payload& payload) {
    if (!sets_) return;
    const size_t set = set_of(key), base = set * ways_;
    const uint32_t head = heads_[set] = static_cast<uint32_t>(heads_[set] == 0 ? ways_ - 1 : heads_[set] - 1);
    keys_[base + head] = key;
    payloads_[base + head] = payload;
  }

  bool invalidate(uint64_t key) {
    if (!sets_) return false;
    bool found = false;
    const size_t set = set_of(key);
    rebuild(set, [&](uint64_t k, const Payload&) { return (k == key) && (found = true); });
    return found;
  }

  // Drops every entry for which pred(key, payload) holds (pred must not change anything: a set
  // is first only scanned, and compacted only when something in it goes). A PCID flush on every
  // exit and exec visits every set, and most hold nothing of that address space.
  template <class Pred>
  uint64_t invalidate_if(Pred&& pred) {
    uint64_t n = 0;
    for (size_t set = 0; set < sets_; ++set) {
      const size_t base = set * ways_;
      uint32_t w = 0;
      while (w < ways_ && !(keys_[base + w] != kInvalid && pred(keys_[base + w], payloads_[base + w]))) ++w;
      if (w < ways_)
        n += rebuild(set, [&](uint64_t k, const Payload& p) { return k != kInvalid && pred(k, p); });
    }
    return n;
  }

  void clear() { std::fill(keys_.begin(), keys_.end(), kInvalid); }

 private:
#ifdef __AVX2__
  static constexpr uint32_t kKeysPerCompare = 4;
#else
  static constexpr uint32_t kKeysPerCompare = 1;
#endif

  // Way of `key` in the set at `base`, or ways_ if absent. With AVX2, four keys per compare; a
  // vector reaching past the set's last way reads the next set's keys (or the padding after
  // the last set), which the bound below discards.
  uint32_t find(size_t base, uint64_t key) const {
    const uint64_t* keys = keys_.data() + base;
#ifdef __AVX2__
    const __m256i want = _mm256_set1_epi64x(static_cast<long long>(key));
    for (uint32_t w = 0; w < ways_; w += kKeysPerCompare) {
      const __m256i got = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(keys + w));
      const unsigned mask =
          static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(got, want))));
      if (mask) {
        const uint32_t i = w + static_cast<uint32_t>(__builtin_ctz(mask));
        return i < ways_ ? i : ways_;
      }
    }
    return ways_;
#else
    uint32_t w = 0;
    while (w < ways_ && keys[w] != key) ++w;
    return w;
#endif
  }

  size_t set_of(uint64_t key) const { return pow2_ ? (key & (sets_ - 1)) : (key % sets_); }

  // Ways of a set form a ring in recency order starting at the set's head. Moves the way in
  // slot p to the front, shifting the more recent ones back by one slot.
  void to_front(size_t base, uint32_t head, uint32_t p) {
    const uint64_t k = keys_[base + p];
    const Payload v = payloads_[base + p];
    for (uint32_t i = p; i != head;) {
      uint32_t prev = i == 0 ? ways_ - 1 : i - 1;
      keys_[base + i] = keys_[base + prev];
      payloads_[base + i] = payloads_[base + prev];
      i = prev;
    }
    keys_[base + head] = k;
    payloads_[base + head] = v;
  }

  // Removes the ways for which drop(key, payload) holds, keeping the others in recency order.
  template <class Drop>
  uint64_t rebuild(size_t set, Drop&& drop) {
    const size_t base = set * ways_;
    const uint32_t head = heads_[set];
    uint32_t kept = 0;
    uint64_t dropped = 0;
    // Compact in recency order into a scratch copy, then write back starting at slot 0.
    keys_scratch_.resize(ways_);
    payloads_scratch_.resize(ways_);
    for (uint32_t i = 0, slot = head; i < ways_; ++i, slot = slot + 1 == ways_ ? 0 : slot + 1) {
      if (keys_[base + slot] != kInvalid && drop(keys_[base + slot], payloads_[base + slot])) {
        ++dropped;
        continue;
      }
      keys_scratch_[kept] = keys_[base + slot];
      payloads_scratch_[kept++] = payloads_[base + slot];
    }
    if (!dropped) return 0;
    for (uint32_t i = 0; i < ways_; ++i) {
      keys_[base + i] = i < kept ? keys_scratch_[i] : kInvalid;
      if (i < kept) payloads_[base + i] = payloads_scratch_[i];
    }
    heads_[set] = 0;
    return dropped;
  }

  uint32_t sets_ = 0, ways_ = 0;
  bool pow2_ = true;
  std::vector<uint64_t, HugePageAllocator<uint64_t>> keys_;
  std::vector<Payload, HugePageAllocator<Payload>> payloads_;
  std::vector<uint32_t> heads_;  // most recent way of each set (any associativity)
  std::vector<uint64_t> keys_scratch_;
  std::vector<Payload> payloads_scratch_;
  BudgetCharge<MemoryUse::kTlbs> charge_;
};

}  // namespace hvsim
