// Latency of a memory reference through L1/L2/LLC to DRAM, so that page-walk cycles follow the
// locality of the entries a walk touches (a hot upper-level entry costs an L1 hit, a cold leaf
// costs DRAM). Lines are filled into every level on a miss.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/huge_page_allocator.h"

namespace hvsim {

struct CacheLevelConfig {
  uint64_t size_bytes = 0;  // 0 = level absent
  uint32_t ways = 8;
  uint32_t latency_cycles = 0;
};

struct CacheHierarchyConfig {
  CacheLevelConfig l1, l2, llc;
  uint32_t dram_cycles = 200;
  uint32_t line_bytes = 64;
};

enum class MemLevel : uint8_t { kL1 = 0, kL2 = 1, kLlc = 2, kDram = 3 };

// One cache level's tags with LRU replacement, compact (8 bytes a line) because it is consulted
// on every simulated access: tags are the line number above the set bits, ages are 32-bit
// stamps compared modulo 2^32.
class CacheTags {
 public:
  void configure(uint64_t lines, uint32_t ways) {
    if (lines == 0) {
      sets_ = 0;
      return;
    }
    ways_ = std::max<uint32_t>(1, std::min<uint64_t>(ways, lines));
    uint64_t sets = lines / ways_;
    set_bits_ = 0;
    while ((uint64_t{2} << set_bits_) <= sets) ++set_bits_;
    sets_ = uint64_t{1} << set_bits_;  // power of two, as real caches index
    lines_.assign(sets_ * ways_, Line{});
  }

  bool enabled() const { return sets_ != 0; }

  // True on a hit; on a miss the line is filled over the least recently used way.
  bool access(uint64_t line) {
    Line* set = &lines_[(line & (sets_ - 1)) * ways_];
    uint32_t tag = static_cast<uint32_t>(line >> set_bits_) + 1;  // 0 marks an empty way
    uint32_t now = ++clock_;
    Line* victim = set;
    for (uint32_t w = 0; w < ways_; ++w) {
      if (set[w].tag == tag) {
        set[w].stamp = now;
        return true;
      }
      if (static_cast<int32_t>(set[w].stamp - victim->stamp) < 0 || set[w].tag == 0) victim = &set[w];
      if (set[w].tag == 0) break;
    }
    victim->tag = tag;
    victim->stamp = now;
    return false;
  }

  void clear() { std::fill(lines_.begin(), lines_.end(), Line{}); }

 private:
  struct Line {
    uint32_t tag = 0;
    uint32_t stamp = 0;
  };
  uint64_t sets_ = 0;
  uint32_t ways_ = 1;
  unsigned set_bits_ = 0;
  uint32_t clock_ = 0;
  std::vector<Line, HugePageAllocator<Line>> lines_;
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

  Result access(uint64_t phys_addr) {
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
