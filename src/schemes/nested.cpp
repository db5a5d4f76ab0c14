// nested: hardware two-dimensional paging (Intel EPT / AMD NPT). Guest page faults and table
// writes are handled by the guest without exits; the host populates guest memory on EPT
// violations.
#include "hv/nested_walker.h"
#include "schemes/scheme_details.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class NestedScheme final : public TlbScheme<NestedScheme> {
 public:
  explicit NestedScheme(SchemeContext& ctx)
      : TlbScheme(ctx), walker_(ctx.machine.hypervisor().ept(), ctx.profile, cache_) {}

  Translation<HostPhysAddr> walk(const Event& ev) {
    return walker_.walk(*space().table, GuestVirtAddr(ev.addr), space().pcid);
  }
  // New guest pages, data or table pages (fork, exec), are backed by the host when first touched.
  void on_guest_fault(const Event&, const Effect& fx) { charge_ept_violations(*fx); }
  void on_os_event(const Effect& fx) { charge_ept_violations(*fx); }
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t pcid) { walker_.flush_asid(pcid); }

  void finish() override {
    stats.details["guest_dimension_refs"] = static_cast<double>(walker_.counters.guest_refs);
    stats.details["host_dimension_refs"] = static_cast<double>(walker_.counters.host_refs);
    stats.details["nested_tlb_hits"] = static_cast<double>(walker_.counters.nested_tlb_hits);
  }

 private:
  NestedWalker walker_;
};

}  // namespace

HVSIM_REGISTER_SCHEME(nested, "nested", "EPT/NPT two-dimensional walk with a nested TLB", 1,
                      [](SchemeContext& ctx) { return std::make_unique<NestedScheme>(ctx); });

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(nested_details,
                     {"guest_dimension_refs", "references", "entries of guest tables the walks fetched"},
                     {"host_dimension_refs", "references", "entries of host (EPT) tables the walks fetched"},
                     {"nested_tlb_hits", "hits",
                      "guest-physical to host-physical translations served by the nested TLB"});

}  // namespace hvsim
