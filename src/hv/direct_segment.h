// Walks for the direct-segment schemes (vm-segment, guest-segment, dual-segment). A direct
// segment is three registers (base, limit, offset): an address inside [base, limit) translates
// with an add, no memory reference. Host segments translate gPA -> hPA (the VM's memory,
// (No)Compromis; the "VMM direct" mode of Gandhi et al., MICRO 2014); a guest segment translates
// gVA -> gPA (the process's primary region, Basu et al., ISCA 2013; "guest direct"). Whatever a
// segment does not cover falls back to the two-dimensional walk.
#pragma once
#include <cstdint>
#include <vector>

#include "hv/nested_walker.h"
#include "os/guest_os.h"

namespace hvsim {

struct SegmentWalkCounters {
  uint64_t guest_refs = 0;          // guest-dimension entries fetched
  uint64_t guest_segment_hits = 0;  // walks whose gVA -> gPA came from the guest segment
  uint64_t host_segment_hits = 0;   // gPA -> hPA translations done by a host segment
  uint64_t host_fallbacks = 0;      // gPAs outside every host segment (nested TLB or host walk)
};

class SegmentWalker {
 public:
  // The nested walker's structures serve the fallbacks; its guest-dimension cache the guest walk.
  SegmentWalker(const Hypervisor& hv, bool host_segments, const Profile& p, CacheHierarchy& cache)
      : nested_(hv.ept(), p, cache), gpwc_(nested_.guest_pwc()), cache_(cache) {
    if (host_segments) segments_ = hv.segments();
  }

  // gPA -> hPA. `want` is the largest page the caller would cache; `size` comes back no larger
  // and such that the mapping is linear over it.
  bool host(GuestPhysAddr gpa, PageSize want, HostPhysAddr& hpa, PageSize& size, WalkCost& cost) {
    for (const HostSegment& s : segments_) {
      if (!s.contains(gpa.value)) continue;
      ++counters.host_segment_hits;
      hpa = HostPhysAddr(s.translate(gpa.value));
      size = want;
      while (size != PageSize::k4K && !linear(s, gpa.align_down(page_shift(size)).value, size))
        size = static_cast<PageSize>(static_cast<int>(size) - 1);
      return true;
    }
    if (!segments_.empty()) ++counters.host_fallbacks;
    if (!nested_.host_translate(gpa, hpa, size, cost)) return false;
    size = min_page_size(size, want);
    return true;
  }

  // The two-dimensional walk with host segments in the host dimension: with every guest table
  // page and the data inside a segment it fetches only the g guest entries. The page size is one
  // the TLB may cache: linear in both dimensions.
  Translation<HostPhysAddr> walk(const GuestPageTable& gt, GuestVirtAddr va, uint16_t asid) {
    WalkCache::Start start = gpwc_.lookup(va.value, asid, gt.levels(), gt.root_frame());
    // host() caps the size it returns at linear mappings; the loop takes the smaller of that and
    // the guest page.
    auto t = walk_guest_2d(gt, va, asid, start.level, start.table_frame, &gpwc_, cache_, counters.guest_refs,
                           [this](GuestPhysAddr gpa, HostPhysAddr& hpa, PageSize& size, WalkCost& cost) {
                             return host(gpa, PageSize::k1G, hpa, size, cost);
                           });
    if (start.level != gt.levels()) t.cost.cycles += gpwc_.hit_cycles();
    return t;
  }

  // A walk for an address inside the guest segment: gVA -> gPA is an add; only the host
  // dimension remains (a segment add, or the nested TLB / a 1D host walk).
  Translation<HostPhysAddr> walk_in_segment(const GuestSegment& g, GuestVirtAddr va) {
    ++counters.guest_segment_hits;
    uint64_t gpa = g.translate(va.value);
    // The largest page over which gVA -> gPA is linear and inside the segment.
    PageSize want = PageSize::k1G;
    for (;; want = static_cast<PageSize>(static_cast<int>(want) - 1)) {
      uint64_t bytes = page_bytes(want), base = va.align_down(page_shift(want)).value;
      bool fits =
          base >= g.va_base && base + bytes <= g.va_end && ((g.gpa_base - g.va_base) & (bytes - 1)) == 0;
      if (fits || want == PageSize::k4K) break;
    }
    HostPhysAddr hpa;
    PageSize size;
    WalkCost cost;
    if (!host(GuestPhysAddr(gpa), want, hpa, size, cost)) return Translation<HostPhysAddr>::fault(cost);
    return Translation<HostPhysAddr>::to(hpa, size, cost);
  }

  const NestedWalkCounters& nested_counters() const { return nested_.counters; }
  void flush_asid(uint16_t asid) { nested_.flush_asid(asid); }

  SegmentWalkCounters counters;

 private:
  static bool linear(const HostSegment& s, uint64_t page, PageSize size) {
    uint64_t bytes = page_bytes(size);
    return s.contains(page, bytes) && ((s.host_base - s.guest_base) & (bytes - 1)) == 0;
  }

  NestedWalker nested_;
  WalkCache& gpwc_;
  CacheHierarchy& cache_;
  std::vector<HostSegment> segments_;
};

}  // namespace hvsim
