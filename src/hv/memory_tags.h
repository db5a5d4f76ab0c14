// Host-side physical memory tagging, as Translation Pass-Through uses it for isolation: every
// host frame has an owner tag (a VM id) in a tag table in host memory, modelled on AMD
// SEV-SNP's Reverse Map Table (one 16-byte entry per 4 KiB frame; a large page is tagged at its
// first frame). The hardware checks the tag of every page-table page it reads and of every page
// it puts in the TLB; checks go through a small tag cache, and a miss fetches the tag entry
// through the data-cache hierarchy like any other memory reference.
#pragma once
#include <cstdint>

#include "common/flat_map.h"
#include "common/set_assoc.h"
#include "mem/cache_hierarchy.h"
#include "paging/walker.h"

namespace hvsim {

struct MemoryTagConfig {
  uint32_t cache_entries = 64;
  uint32_t cache_ways = 4;
  uint32_t cache_hit_cycles = 1;
  uint32_t entry_bytes = 16;  // SEV-SNP RMP entries are 16 bytes; denser tags share cache lines
};

struct MemoryTagCounters {
  uint64_t checks = 0;
  uint64_t cache_hits = 0;
  uint64_t fetches = 0;  // tag entries read from the memory hierarchy
  uint64_t faults = 0;   // checks that found another owner's tag
};

class MemoryTags {
 public:
  static constexpr uint16_t kUnowned = 0;

  MemoryTags(uint64_t table_base, const MemoryTagConfig& cfg) : base_(table_base), cfg_(cfg) {
    cache_.configure(cfg.cache_entries, cfg.cache_ways);
  }

  // The hypervisor (re)assigns a host frame; a cached copy of the old tag is dropped, as the
  // hardware requires after a tag-table update.
  void assign(uint64_t frame, uint16_t owner) {
    tags_.insert(frame, owner);
    cache_.invalidate(frame);
  }
  uint16_t owner(uint64_t frame) const {
    const uint16_t* t = tags_.find(frame);
    return t ? *t : kUnowned;
  }
  uint64_t entry_address(uint64_t frame) const { return base_ + frame * cfg_.entry_bytes; }

  // True if `frame` belongs to `vm`. The tag comes from the tag cache or from memory.
  bool check(uint64_t frame, uint16_t vm, CacheHierarchy& cache, WalkCost& cost) {
    ++counters.checks;
    uint16_t tag;
    if (const uint16_t* hit = cache_.lookup(frame)) {
      ++counters.cache_hits;
      cost.cycles += cfg_.cache_hit_cycles;
      tag = *hit;
    } else {
      ++counters.fetches;
      cost.cycles += cache.access(entry_address(frame)).cycles;
      tag = owner(frame);
      cache_.insert(frame, tag);
    }
    if (tag == vm) return true;
    ++counters.faults;
    return false;
  }

  size_t tagged_frames() const { return tags_.size(); }
  MemoryTagCounters counters;

 private:
  uint64_t base_;
  MemoryTagConfig cfg_;
  FlatU64Map<uint16_t> tags_{12};
  SetAssoc<uint16_t> cache_;
};

}  // namespace hvsim
