// vm-segment: (No)Compromis. The VM's guest-physical memory is backed by one host segment (or a
// few: host.backing = segments, host.segments), so the host dimension is an add and a bounds
// check; the guest keeps paging its processes, so a TLB miss walks the guest table alone: g
// references. A gPA outside every segment (a guest table page or data page the hypervisor backed
// with pages) falls back to the nested TLB and a host walk for that address only.
#include "hv/direct_segment.h"
#include "schemes/scheme_details.h"
#include "schemes/scheme_layout.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class VmSegmentScheme final : public TlbScheme<VmSegmentScheme> {
 public:
  explicit VmSegmentScheme(SchemeContext& ctx)
      : TlbScheme(ctx), walker_(ctx.machine.hypervisor(), true, ctx.profile, cache_) {}

  Translation<HostPhysAddr> walk(const Event& ev) {
    return walker_.walk(*space().table, GuestVirtAddr(ev.addr), space().pcid);
  }

  // As under nested: the guest handles its faults and table writes; guest pages outside the
  // host segments are backed on EPT violations (the machine reports only those).
  void on_guest_fault(const Event&, const Effect& fx) { charge_ept_violations(*fx); }
  void on_os_event(const Effect& fx) { charge_ept_violations(*fx); }
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t pcid) { walker_.flush_asid(pcid); }

  void finish() override {
    stats.details["segments"] = static_cast<double>(machine_.hypervisor().segments().size());
    stats.details["guest_dimension_refs"] = static_cast<double>(walker_.counters.guest_refs);
    stats.details["host_dimension_refs"] = static_cast<double>(walker_.nested_counters().host_refs);
    stats.details["host_segment_hits"] = static_cast<double>(walker_.counters.host_segment_hits);
    stats.details["host_segment_fallbacks"] = static_cast<double>(walker_.counters.host_fallbacks);
  }

 private:
  SegmentWalker walker_;
};

}  // namespace

HVSIM_REGISTER_SCHEME(vm_segment, "vm-segment",
                      "(No)Compromis: VM memory in host segments (gPA->hPA is an add), guest paging kept", 6,
                      [](SchemeContext& ctx) { return std::make_unique<VmSegmentScheme>(ctx); });
HVSIM_SCHEME_LAYOUT(vm_segment, "vm-segment", .host_segments = true, .guest_segments = std::nullopt);

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(vm_segment_details,
                     {"segments", "segments", "host segments backing the VM", DetailKind::kLevel},
                     {"guest_dimension_refs", "references", "entries of guest tables the walks fetched"},
                     {"host_dimension_refs", "references", "entries of host (EPT) tables the walks fetched"},
                     {"host_segment_hits", "translations",
                      "guest-physical addresses the host segment translated"},
                     {"host_segment_fallbacks", "translations",
                      "guest-physical addresses outside the host segment (EPT walked)"});

}  // namespace hvsim
