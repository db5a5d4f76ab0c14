// Latency of a memory reference through L1/L2/LLC to DRAM, so that page-walk cycles follow the
// locality of the entries a walk touches (a hot upper-level entry costs an L1 hit, a cold leaf
// costs DRAM). Lines are filled into every level on a miss.
#pragma once
#include <emmintrin.h>
#ifdef __AVX2__
#include <immintrin.h>
#endif
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/huge_page_allocator.h"
#include "common/memory_budget.h"
#include "mem/cache_config.h"

namespace hvsim {

enum class MemLevel : uint8_t { kL1 = 0, kL2 = 1, kLlc = 2, kDram = 3 };

// One cache level's tags with LRU replacement, compact (4 bytes a line) because it is consulted
// on every simulated access. Each set is a ring of tags in recency order starting at its head
// (kept in the set's spare slot): a miss replaces the least recent tag by moving the head back
// one slot, with no shifting; a hit moves the tag to the front.
class CacheTags {
 public:
  void configure(uint64_t lines, uint32_t ways) {
    if (lines == 0) {
      sets_ = 0;
      tags_.clear();
      tags_.shrink_to_fit();
      charge_.set(0);
      return;
    }
    ways_ = std::max<uint32_t>(1, static_cast<uint32_t>(std::min<uint64_t>(ways, lines)));
    uint64_t sets = lines / ways_;
    set_bits_ = 0;
    while ((uint64_t{2} << set_bits_) <= sets) ++set_bits_;
    sets_ = uint64_t{1} << set_bits_;  // power of two, as real caches index
    // Whole vectors of tags, with a spare slot for the head.
    stride_ = (ways_ + 1 + kTagsPerCompare - 1) & ~(kTagsPerCompare - 1);
    charge_.set(sets_ * stride_ * sizeof(uint32_t));
    tags_.assign(sets_ * stride_, 0);
  }

  bool enabled() const { return sets_ != 0; }

  // True on a hit; on a miss the line replaces the least recently used one of its set. Inlined
  // into every walker and the access loop: left to itself, g++ keeps it out of line in the
  // larger callers, at a call per simulated memory reference.
  [[gnu::always_inline]] bool access(uint64_t line) {
    uint32_t* set = &tags_[(line & (sets_ - 1)) * stride_];
    uint32_t& head = set[stride_ - 1];
    const uint32_t tag = static_cast<uint32_t>(line >> set_bits_) + 1;  // 0 marks an empty way
    if (set[head] == tag) return true;
    const uint32_t p = find(set, tag);
    if (p == ways_) {
      head = head == 0 ? ways_ - 1 : head - 1;  // the least recent slot becomes the front
      set[head] = tag;
      return false;
    }
    // Move the hit tag to the front: shift the more recent ones back by one slot.
    for (uint32_t i = p; i != head;) {
      uint32_t prev = i == 0 ? ways_ - 1 : i - 1;
      set[i] = set[prev];
      i = prev;
    }
    set[head] = tag;
    return true;
  }

  void clear() { std::fill(tags_.begin(), tags_.end(), 0); }

 private:
#ifdef __AVX2__
  static constexpr uint32_t kTagsPerCompare = 8;
#else
  static constexpr uint32_t kTagsPerCompare = 4;
#endif

  // Slot of `tag` in the set, or ways_ if absent: four tags per compare (eight with AVX2). The
  // spare slot lies past ways_, so a head value that equals the tag is never taken for it.
  uint32_t find(const uint32_t* set, uint32_t tag) const {
#ifdef __AVX2__
    const __m256i want = _mm256_set1_epi32(static_cast<int>(tag));
    for (uint32_t w = 0; w < ways_; w += kTagsPerCompare) {
      __m256i got = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(set + w));
      unsigned mask =
          static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(got, want))));
#else
    const __m128i want = _mm_set1_epi32(static_cast<int>(tag));
    for (uint32_t w = 0; w < ways_; w += kTagsPerCompare) {
      __m128i got = _mm_loadu_si128(reinterpret_cast<const __m128i*>(set + w));
      unsigned mask = static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(got, want))));
#endif
      if (mask) {
        uint32_t i = w + static_cast<uint32_t>(__builtin_ctz(mask));
        return i < ways_ ? i : ways_;
      }
    }
    return ways_;
  }

  uint64_t sets_ = 0;
  uint32_t ways_ = 1, stride_ = 4;
  unsigned set_bits_ = 0;
  std::vector<uint32_t, HugePageAllocator<uint32_t>> tags_;
  BudgetCharge<MemoryUse::kCaches> charge_;
};

class CacheHierarchy {
 public:
  explicit CacheHierarchy(const CacheHierarchyConfig& cfg) : cfg_(cfg) {
    line_shift_ = 0;
    while ((1u << line_shift_) < cfg.line_bytes) ++line_shift_;
    l1_.configure(cfg.l1.size_bytes >> line_shift_, cfg.l1.ways);
    l2_.configure(cfg.l2.size_bytes >> line_shift_, cfg.l2.ways);
    llc_.configure(cfg.llc.size_bytes >> line_shift_, cfg.llc.ways);
  }

  struct Result {
    uint32_t cycles;
    MemLevel level;
  };

  [[gnu::always_inline]] Result access(uint64_t phys_addr) {
    uint64_t line = phys_addr >> line_shift_;
    if (l1_.enabled() && l1_.access(line)) return {cfg_.l1.latency_cycles, MemLevel::kL1};
    if (l2_.enabled() && l2_.access(line)) return {cfg_.l2.latency_cycles, MemLevel::kL2};
    if (llc_.enabled() && llc_.access(line)) return {cfg_.llc.latency_cycles, MemLevel::kLlc};
    return {cfg_.dram_cycles, MemLevel::kDram};
  }

  void clear() {
    l1_.clear();
    l2_.clear();
    llc_.clear();
  }

 private:
  CacheHierarchyConfig cfg_;
  unsigned line_shift_;
  CacheTags l1_, l2_, llc_;
};

}  // namespace hvsim
