// Latency of a memory reference through L1/L2/LLC to DRAM, so that page-walk cycles follow the
// locality of the entries a walk touches (a hot upper-level entry costs an L1 hit, a cold leaf
// costs DRAM). Lines are filled into every level on a miss.
#pragma once
#include <cstdint>

#include "common/set_assoc.h"

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

class CacheHierarchy {
 public:
  explicit CacheHierarchy(const CacheHierarchyConfig& cfg) : cfg_(cfg) {
    line_shift_ = 0;
    while ((1u << line_shift_) < cfg.line_bytes) ++line_shift_;
    auto lines = [&](const CacheLevelConfig& c) { return static_cast<uint32_t>(c.size_bytes >> line_shift_); };
    l1_.configure(lines(cfg.l1), cfg.l1.ways);
    l2_.configure(lines(cfg.l2), cfg.l2.ways);
    llc_.configure(lines(cfg.llc), cfg.llc.ways);
  }

  struct Result {
    uint32_t cycles;
    MemLevel level;
  };

  Result access(uint64_t phys_addr) {
    uint64_t line = phys_addr >> line_shift_;
    if (l1_.lookup(line)) return {cfg_.l1.latency_cycles, MemLevel::kL1};
    l1_.insert(line, 0);
    if (l2_.lookup(line)) return {cfg_.l2.latency_cycles, MemLevel::kL2};
    l2_.insert(line, 0);
    if (llc_.lookup(line)) return {cfg_.llc.latency_cycles, MemLevel::kLlc};
    llc_.insert(line, 0);
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
  SetAssoc<uint8_t> l1_, l2_, llc_;
};

}  // namespace hvsim
