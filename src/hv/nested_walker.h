// The two-dimensional (EPT/NPT) walk: every guest page-table entry is at a guest-physical address
// that the host table must translate before it can be fetched, and so is the final data address.
// With nothing cached a g-level guest over an h-level host fetches (g+1)(h+1)-1 entries.
#pragma once
#include <cstdint>

#include "common/address.h"
#include "hv/guest_walk_2d.h"
#include "hv/hypervisor.h"
#include "os/address_space.h"
#include "paging/walker.h"
#include "tlb/nested_tlb.h"

namespace hvsim {

struct NestedWalkCounters {
  uint64_t guest_refs = 0;  // guest-dimension entries fetched
  uint64_t host_refs = 0;   // host-dimension entries fetched
  uint64_t nested_tlb_hits = 0;
};

class NestedWalker {
 public:
  NestedWalker(const EptTable& ept, PageSize host_size, WalkCache& guest_pwc, WalkCache& host_pwc,
               NestedTlb& ntlb, CacheHierarchy& cache)
      : ept_(ept), host_size_(host_size), gpwc_(guest_pwc), hpwc_(host_pwc), ntlb_(ntlb), cache_(cache) {}

  struct Result {
    bool ok = false;                // false: guest or host entry not present
    HostPhysAddr hpa;               // final host-physical address
    PageSize size = PageSize::k4K;  // effective page size: the smaller of guest and host
    WalkCost cost;
  };

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
    if (!w.path.ok) return false;
    hpa = w.path.result;
    size = w.path.size;
    ntlb_.fill(gpa.value, size, hpa.align_down(page_shift(size)).value);
    return true;
  }

  Result walk(const GuestPageTable& gt, GuestVirtAddr va, uint16_t asid) {
    WalkCache::Start start = gpwc_.lookup(va.value, asid, gt.levels(), gt.root_frame());
    auto w = walk_guest_2d(gt, va, asid, start.level, start.table_frame, &gpwc_, cache_,
                           [this](GuestPhysAddr gpa, HostPhysAddr& hpa, PageSize& size, WalkCost& cost) {
                             return host_translate(gpa, hpa, size, cost);
                           });
    if (start.level != gt.levels()) w.cost.cycles += gpwc_.hit_cycles();
    counters.guest_refs += w.guest_refs;
    return Result{w.ok, w.hpa, w.size, w.cost};
  }

  NestedWalkCounters counters;

 private:
  const EptTable& ept_;
  PageSize host_size_;
  WalkCache& gpwc_;
  WalkCache& hpwc_;
  NestedTlb& ntlb_;
  CacheHierarchy& cache_;
};

}  // namespace hvsim
