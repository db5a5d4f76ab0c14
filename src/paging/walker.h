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

// Where the walk ended and what it cost.
template <class Out>
struct CostedWalk {
  WalkEnd<Out> end;
  WalkCost cost;
  Translation<Out> translation() const {
    return end.ok ? Translation<Out>::to(end.result, end.size, cost) : Translation<Out>::fault(cost);
  }
};

// A walker that needs nothing per entry beyond its cost.
struct NoStepObserver {
  template <class Out>
  void operator()(Out, int) const {}
};

// `on_step(entry_addr, level)` sees each entry fetched, after its cost (tpt checks their pages).
template <class In, class Out, class Fmt, class OnStep = NoStepObserver>
CostedWalk<Out> walk_1d(const RadixTable<In, Out, Fmt>& table, In va, uint16_t asid, WalkCache& pwc,
                        CacheHierarchy& cache, OnStep&& on_step = {}) {
  CostedWalk<Out> w;
  const WalkCache::Start start = pwc.lookup(va.value, asid, table.levels(), table.root_frame());
  if (start.level != table.levels()) w.cost.cycles += pwc.hit_cycles();
  w.end =
      table.walk_visit(va, start.level, start.table_frame, [&](Out entry_addr, int level, uint64_t frame) {
        // The entry above was followed to this table: remember where it points. The lookup above
        // missed every level the walk fills.
        if (level < start.level) pwc.fill_missed(va.value, asid, level + 1, frame);
        w.cost.cycles += cache.access(entry_addr.value).cycles;
        ++w.cost.refs;
        on_step(entry_addr, level);
        return true;
      });
  return w;
}

}  // namespace hvsim
