// guest-segment: the "guest direct" mode of Gandhi et al. (MICRO 2014), the guest-side direct
// segment of Basu et al. (ISCA 2013). The guest OS backs each process's primary region with
// contiguous guest-physical memory (guest.direct_segment = true) and loads base, limit and
// offset; a TLB miss inside the region skips the guest dimension (gVA -> gPA is an add) and only
// the host dimension is walked: the nested TLB, else a 1D host walk of h references. Outside the
// region the walk is the full two-dimensional one.
#include "hv/direct_segment.h"
#include "schemes/scheme_details.h"
#include "schemes/scheme_layout.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class GuestSegmentScheme final : public TlbScheme<GuestSegmentScheme> {
 public:
  explicit GuestSegmentScheme(SchemeContext& ctx)
      : TlbScheme(ctx), walker_(ctx.machine.hypervisor(), false, ctx.profile, cache_) {}

  Translation<HostPhysAddr> walk(const Event& ev) {
    GuestVirtAddr va(ev.addr);
    // The segment registers are part of the process context: looked up per walk, not per access.
    const GuestSegment* seg = machine_.guest().direct_segment(ev.pid);
    return seg && seg->contains(va.value) ? walker_.walk_in_segment(*seg, va)
                                          : walker_.walk(*space().table, va, space().pcid);
  }

  // As under nested: the guest handles its faults and table writes; new guest pages are backed
  // by the host on EPT violations.
  void on_guest_fault(const Event&, const Effect& fx) { charge_ept_violations(*fx); }
  void on_os_event(const Effect& fx) { charge_ept_violations(*fx); }
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t pcid) { walker_.flush_asid(pcid); }

  void finish() override {
    stats.details["guest_dimension_refs"] = static_cast<double>(walker_.counters.guest_refs);
    stats.details["host_dimension_refs"] = static_cast<double>(walker_.nested_counters().host_refs);
    stats.details["guest_segment_walks"] = static_cast<double>(walker_.counters.guest_segment_hits);
    stats.details["nested_tlb_hits"] = static_cast<double>(walker_.nested_counters().nested_tlb_hits);
  }

 private:
  SegmentWalker walker_;
};

}  // namespace

HVSIM_REGISTER_SCHEME(guest_segment, "guest-segment",
                      "guest direct segment (gVA->gPA is an add inside the primary region), host walk kept",
                      8, [](SchemeContext& ctx) { return std::make_unique<GuestSegmentScheme>(ctx); });
HVSIM_SCHEME_LAYOUT(guest_segment, "guest-segment", .host_segments = std::nullopt, .guest_segments = true);

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(guest_segment_details,
                     {"guest_dimension_refs", "references", "entries of guest tables the walks fetched"},
                     {"host_dimension_refs", "references", "entries of host (EPT) tables the walks fetched"},
                     {"guest_segment_walks", "walks",
                      "walks the guest segment translated without guest tables"},
                     {"nested_tlb_hits", "hits",
                      "guest-physical to host-physical translations served by the nested TLB"});

}  // namespace hvsim
