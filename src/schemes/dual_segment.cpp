// dual-segment: the "dual direct" mode of Gandhi et al. (MICRO 2014): a guest direct segment
// (gVA -> gPA, guest.direct_segment) composed with host segments (gPA -> hPA, host.backing =
// segments). An address inside both translates with two adds and no memory reference at all.
// The hardware checks the segments on the TLB-miss path here; a hit fills the TLB with the
// largest page over which both adds are linear. Outside the guest segment the walk is the
// vm-segment one (guest walk, host segments); inside it but outside the host segments, the host
// dimension falls back to the nested TLB or a host walk.
#include "hv/direct_segment.h"
#include "schemes/scheme_details.h"
#include "schemes/scheme_layout.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class DualSegmentScheme final : public TlbScheme<DualSegmentScheme> {
 public:
  explicit DualSegmentScheme(SchemeContext& ctx)
      : TlbScheme(ctx), walker_(ctx.machine.hypervisor(), true, ctx.profile, cache_) {}

  Translation<HostPhysAddr> walk(const Event& ev) {
    GuestVirtAddr va(ev.addr);
    const GuestSegment* seg = machine_.guest().direct_segment(ev.pid);
    bool inside = seg && seg->contains(va.value);
    auto t = inside ? walker_.walk_in_segment(*seg, va) : walker_.walk(*space().table, va, space().pcid);
    if (inside && t.ok() && t.cost.refs == 0) ++both_segments_;
    return t;
  }

  // As under nested: the guest handles its faults and table writes; guest pages outside the
  // host segments are backed on EPT violations (the machine reports only those).
  void on_guest_fault(const Event&, const Effect& fx) { charge_ept_violations(*fx); }
  void on_os_event(const Effect& fx) { charge_ept_violations(*fx); }
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t pcid) { walker_.flush_asid(pcid); }

  void finish() override {
    stats.details["guest_dimension_refs"] = static_cast<double>(walker_.counters.guest_refs);
    stats.details["host_dimension_refs"] = static_cast<double>(walker_.nested_counters().host_refs);
    stats.details["guest_segment_walks"] = static_cast<double>(walker_.counters.guest_segment_hits);
    stats.details["dual_segment_translations"] = static_cast<double>(both_segments_);
    stats.details["host_segment_hits"] = static_cast<double>(walker_.counters.host_segment_hits);
    stats.details["host_segment_fallbacks"] = static_cast<double>(walker_.counters.host_fallbacks);
  }

 private:
  SegmentWalker walker_;
  uint64_t both_segments_ = 0;
};

}  // namespace

HVSIM_REGISTER_SCHEME(dual_segment, "dual-segment",
                      "direct segments in both dimensions: no walk inside them (Gandhi et al. dual direct)",
                      7, [](SchemeContext& ctx) { return std::make_unique<DualSegmentScheme>(ctx); });
HVSIM_SCHEME_LAYOUT(dual_segment, "dual-segment", .host_segments = true, .guest_segments = true);

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(
    dual_segment_details, {"guest_dimension_refs", "references", "entries of guest tables the walks fetched"},
    {"host_dimension_refs", "references", "entries of host (EPT) tables the walks fetched"},
    {"guest_segment_walks", "walks", "walks the guest segment translated without guest tables"},
    {"dual_segment_translations", "walks", "walks both segments translated (no table fetched)"},
    {"host_segment_hits", "translations", "guest-physical addresses the host segment translated"},
    {"host_segment_fallbacks", "translations",
     "guest-physical addresses outside the host segment (EPT walked)"});

}  // namespace hvsim
