// Page-walk caches (Intel's paging-structure caches): for each non-leaf level, a small cache from
// the address bits that select an entry at that level to the next table's frame, so that a walk
// can skip the upper levels. Keys carry the address-space id.
#pragma once
#include <array>
#include <cstdint>

#include "common/set_assoc.h"
#include "paging/paging_config.h"

namespace hvsim {

class WalkCache {
 public:
  explicit WalkCache(const WalkCacheConfig& cfg) : cfg_(cfg) {
    for (int l = 2; l <= 5; ++l) caches_[l].configure(cfg.entries[l], cfg.ways);
  }

  struct Start {
    int level;             // level at which the walk begins
    uint64_t table_frame;  // frame of the table at that level
  };

  // The deepest cached starting point for `addr`; {top_level, root} when nothing hits.
  Start lookup(uint64_t addr, uint16_t asid, int top_level, uint64_t root_frame) {
    for (int l = 2; l <= top_level; ++l) {
      if (uint64_t* frame = caches_[l].lookup(key(addr, asid, l))) return {l - 1, *frame};
    }
    return {top_level, root_frame};
  }

  // Records that the entry at `level` for `addr` points to the table in `next_frame`.
  void fill(uint64_t addr, uint16_t asid, int level, uint64_t next_frame) {
    if (level >= 2) caches_[level].insert(key(addr, asid, level), next_frame);
  }
  // The same, for an entry the caller knows is absent because its own lookup() just missed it at
  // this level (a walk fills only levels at or below where it started): no search before the
  // least recent way is replaced, the same state as fill() leaves.
  void fill_missed(uint64_t addr, uint16_t asid, int level, uint64_t next_frame) {
    if (level >= 2) caches_[level].insert_absent(key(addr, asid, level), next_frame);
  }

  void flush_asid(uint16_t asid) {
    for (auto& c : caches_) c.invalidate_if([asid](uint64_t k, uint64_t) { return (k >> 48) == asid; });
  }
  void flush_all() {
    for (auto& c : caches_) c.clear();
  }
  uint32_t hit_cycles() const { return cfg_.hit_cycles; }
  bool enabled(int level) const { return caches_[level].enabled(); }

 private:
  // The address bits that index levels top..level, i.e. addr >> (12 + 9*(level-1)).
  static uint64_t key(uint64_t addr, uint16_t asid, int level) {
    return ((addr >> (12 + 9 * (level - 1))) & ((1ull << 48) - 1)) | (uint64_t{asid} << 48);
  }

  WalkCacheConfig cfg_;
  std::array<SetAssoc<uint64_t>, 6> caches_;
};

}  // namespace hvsim
