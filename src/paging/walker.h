// Costs a one-dimensional walk: page-walk caches decide where it starts, and every entry it
// still has to fetch goes through the cache hierarchy. The table decides which entries are
// touched (RadixTable::walk_from); this decides what they cost.
#pragma once
#include <cstdint>

#include "mem/cache_hierarchy.h"
#include "paging/radix_table.h"
#include "paging/translation.h"
#include "paging/walk_cache.h"

namespace hvsim {

// Which entries the walk touched (the path) and what they cost.
template <class Out>
struct CostedWalk {
  WalkPath<Out> path;
  WalkCost cost;
  Translation<Out> translation() const {
    return path.ok ? Translation<Out>::to(path.result, path.size, cost) : Translation<Out>::fault(cost);
  }
};

template <class In, class Out, class Fmt>
CostedWalk<Out> walk_1d(const RadixTable<In, Out, Fmt>& table, In va, uint16_t asid, WalkCache& pwc,
                        CacheHierarchy& cache) {
  CostedWalk<Out> w;
  WalkCache::Start start = pwc.lookup(va.value, asid, table.levels(), table.root_frame());
  if (start.level != table.levels()) w.cost.cycles += pwc.hit_cycles();
  w.path = table.walk_from(va, start.level, start.table_frame);
  for (int i = 0; i < w.path.count; ++i) {
    const auto& step = w.path.steps[i];
    w.cost.cycles += cache.access(step.entry_addr.value).cycles;
    ++w.cost.refs;
    // A non-leaf entry that was followed: remember where it points. The lookup above missed every
    // level the walk fills.
    if (step.level > 1 && (i + 1 < w.path.count))
      pwc.fill_missed(va.value, asid, step.level, w.path.table_frame_at[step.level - 1]);
  }
  return w;
}

}  // namespace hvsim
