// The two-dimensional (EPT/NPT) walk: every guest page-table entry is at a guest-physical address
// that the host table must translate before it can be fetched, and so is the final data address.
// With nothing cached a g-level guest over an h-level host fetches (g+1)(h+1)-1 entries.
#pragma once
#include <cstdint>

#include "common/address.h"
#include "common/profile.h"
#include "hv/guest_walk_2d.h"
#include "hv/host_config.h"
#include "hv/hypervisor.h"
#include "os/address_space.h"
#include "paging/paging_config.h"
#include "paging/walker.h"
#include "tlb/nested_tlb.h"
#include "tlb/tlb_config.h"

namespace hvsim {

struct NestedWalkCounters {
  uint64_t guest_refs = 0;  // guest-dimension entries fetched
  uint64_t host_refs = 0;   // host-dimension entries fetched
  uint64_t nested_tlb_hits = 0;
};

// The hardware's nested paging: the two-dimensional walk and the structures that cache it (the
// guest-dimension page-walk cache, the host-dimension one and the nested TLB). The part the
// nested, switching and agile schemes (and the segment walker) compose.
class NestedWalker {
 public:
  NestedWalker(const EptTable& ept, const Profile& p, CacheHierarchy& cache)
      : ept_(ept),
        host_size_(p.section<HostConfig>().page_size),
        gpwc_(p.section<PwcConfig>()),
        hpwc_(p.section<HostPwcConfig>()),
        ntlb_(p.section<NestedTlbConfig>()),
        cache_(cache) {}

  // gPA -> hPA through the nested TLB or a host walk.
  bool host_translate(GuestPhysAddr gpa, HostPhysAddr& hpa, PageSize& size, WalkCost& cost) {
    uint64_t page;
    if (ntlb_.lookup(gpa.value, host_size_, page)) {
      ++counters.nested_tlb_hits;
      hpa = HostPhysAddr(page | gpa.offset_in(page_shift(host_size_)));
      size = host_size_;
      return true;
    }
    auto w = walk_1d(ept_, gpa, 0, hpwc_, cache_);
    cost += w.cost;
    counters.host_refs += w.cost.refs;
    if (!w.end.ok) return false;
    hpa = w.end.result;
    size = w.end.size;
    ntlb_.fill(gpa.value, size, hpa.align_down(page_shift(size)).value);
    return true;
  }

  Translation<HostPhysAddr> walk(const GuestPageTable& gt, GuestVirtAddr va, uint16_t asid) {
    WalkCache::Start start = gpwc_.lookup(va.value, asid, gt.levels(), gt.root_frame());
    auto t = walk_guest_2d(gt, va, asid, start.level, start.table_frame, &gpwc_, cache_, counters.guest_refs,
                           [this](GuestPhysAddr gpa, HostPhysAddr& hpa, PageSize& size, WalkCost& cost) {
                             return host_translate(gpa, hpa, size, cost);
                           });
    if (start.level != gt.levels()) t.cost.cycles += gpwc_.hit_cycles();
    return t;
  }

  WalkCache& guest_pwc() { return gpwc_; }
  // Translations of `asid` changed: the guest-dimension cache holds its table frames.
  void flush_asid(uint16_t asid) { gpwc_.flush_asid(asid); }
  // Everything cached, in both dimensions.
  void flush_all() {
    gpwc_.flush_all();
    hpwc_.flush_all();
    ntlb_.flush();
  }

  NestedWalkCounters counters;

 private:
  const EptTable& ept_;
  PageSize host_size_;
  WalkCache gpwc_, hpwc_;
  NestedTlb ntlb_;
  CacheHierarchy& cache_;
};

}  // namespace hvsim
