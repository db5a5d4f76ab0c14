// Host-side physical memory tagging, as Translation Pass-Through uses it for isolation: every
// host frame has an owner tag (a VM id) in a tag table in host memory, modelled on AMD
// SEV-SNP's Reverse Map Table: one 16-byte entry per 4 KiB frame in system memory (Linux,
// Documentation/arch/x86/amd-memory-encryption.rst, "Reverse Map Table (RMP)"); a large page is
// checked at its first frame, as the hardware reads the RMP entry of a 2 MiB region's base when
// it builds a 2 MiB TLB entry (the SEV-SNP hypervisor patch adding snp_safe_alloc_page(),
// linux-kernel list).
// Which frames are checked, and when, is the scheme's choice (schemes/tpt_tag_check.h). A check
// goes through an optional small tag cache (an assumption: AMD documents none), and a miss
// fetches the tag entry through the data-cache hierarchy like any other memory reference, as
// RMP entries are cached in L1D and L2 (Bagia et al., "A Close Look at RMP Entry Caching and
// Its Security Implications in SEV-SNP", abstract).
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
  uint64_t fetches = 0;       // tag entries read from the memory hierarchy
  uint64_t dram_fetches = 0;  // ... of which no data cache held the line
  uint64_t faults = 0;        // checks that found another owner's tag
  uint64_t cycles = 0;        // of every check: tag-cache hits and fetches
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
    uint32_t cycles;
    if (const uint16_t* hit = cache_.lookup(frame)) {
      ++counters.cache_hits;
      cycles = cfg_.cache_hit_cycles;
      tag = *hit;
    } else {
      ++counters.fetches;
      const CacheHierarchy::Result r = cache.access(entry_address(frame));
      if (r.level == MemLevel::kDram) ++counters.dram_fetches;
      cycles = r.cycles;
      tag = owner(frame);
      cache_.insert(frame, tag);
    }
    cost.cycles += cycles;
    counters.cycles += cycles;
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
