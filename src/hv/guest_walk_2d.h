// The guest dimension of a two-dimensional walk, with the host dimension left to the caller: each
// guest entry's guest-physical address, and finally the data's, is translated by `host` before
// it can be fetched. Schemes whose host dimension is not the machine's EPT (tdp-large) or whose
// nested part starts below the guest root (agile) share this loop.
#pragma once
#include <cstdint>

#include "common/address.h"
#include "mem/cache_hierarchy.h"
#include "os/address_space.h"
#include "paging/walker.h"

namespace hvsim {

struct GuestWalk2dResult {
  bool ok = false;  // false: a guest or host entry was not present
  HostPhysAddr hpa;
  PageSize size = PageSize::k4K;  // the smaller of the guest page and the host mapping
  WalkCost cost;
  uint32_t guest_refs = 0;  // guest entries fetched (the rest of cost.refs is the host's)
};

// `host(gpa, hpa&, size&, cost&)` translates one guest-physical address, adding what it fetched
// to `cost`; false when the host does not map it. The walk starts at guest `level`, whose table
// is the guest frame `frame`. `gpwc`, when not null, is filled with the guest entries followed.
template <class HostTranslate>
GuestWalk2dResult walk_guest_2d(const GuestPageTable& gt, GuestVirtAddr va, uint16_t asid, int level,
                                uint64_t frame, WalkCache* gpwc, CacheHierarchy& cache,
                                HostTranslate&& host) {
  GuestWalk2dResult r;
  auto path = gt.walk_from(va, level, frame);
  for (int i = 0; i < path.count; ++i) {
    const auto& step = path.steps[i];
    HostPhysAddr entry_hpa;
    PageSize hs;
    if (!host(step.entry_addr, entry_hpa, hs, r.cost)) return r;
    r.cost.cycles += cache.access(entry_hpa.value).cycles;
    ++r.cost.refs;
    ++r.guest_refs;
    if (gpwc && step.level > 1 && i + 1 < path.count)
      gpwc->fill(va.value, asid, step.level, path.table_frame_at[step.level - 1]);
  }
  if (!path.ok) return r;
  PageSize hs;
  if (!host(path.result, r.hpa, hs, r.cost)) return r;
  r.size = min_page_size(path.size, hs);
  r.ok = true;
  return r;
}

}  // namespace hvsim
