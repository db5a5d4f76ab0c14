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

// `host(gpa, hpa&, size&, cost&)` translates one guest-physical address, adding what it fetched
// to `cost`; false when the host does not map it. The walk starts at guest `level`, whose table
// is the guest frame `frame`. `gpwc`, when not null, is filled with the guest entries followed;
// `guest_refs` counts the guest entries fetched (the rest of the cost's references are the
// host's). The page size of a translation is the smaller of the guest page and the host mapping.
template <class HostTranslate>
Translation<HostPhysAddr> walk_guest_2d(const GuestPageTable& gt, GuestVirtAddr va, uint16_t asid, int level,
                                        uint64_t frame, WalkCache* gpwc, CacheHierarchy& cache,
                                        uint64_t& guest_refs, HostTranslate&& host) {
  WalkCost cost;
  uint32_t fetched = 0;
  const WalkEnd<GuestPhysAddr> end =
      gt.walk_visit(va, level, frame, [&](GuestPhysAddr entry_addr, int l, uint64_t table_frame) {
        // The guest entry above was followed to this table.
        if (gpwc && l < level) gpwc->fill(va.value, asid, l + 1, table_frame);
        HostPhysAddr entry_hpa;
        PageSize hs;
        if (!host(entry_addr, entry_hpa, hs, cost)) return false;
        cost.cycles += cache.access(entry_hpa.value).cycles;
        ++cost.refs;
        ++fetched;
        return true;
      });
  guest_refs += fetched;
  HostPhysAddr hpa;
  PageSize hs;
  if (!end.ok || !host(end.result, hpa, hs, cost)) return Translation<HostPhysAddr>::fault(cost);
  return Translation<HostPhysAddr>::to(hpa, min_page_size(end.size, hs), cost);
}

}  // namespace hvsim
