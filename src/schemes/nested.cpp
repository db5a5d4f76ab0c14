// nested: hardware two-dimensional paging (Intel EPT / AMD NPT). Guest page faults are handled by
// the guest without exits; the host populates guest memory on EPT violations.
#include "hv/nested_walker.h"
#include "schemes/hardware_nested_scheme.h"
#include "schemes/scheme_details.h"

namespace hvsim {
namespace {

class NestedScheme final : public HardwareNestedScheme<NestedScheme> {
 public:
  explicit NestedScheme(SchemeContext& ctx)
      : HardwareNestedScheme(ctx),
        hpwc_(ctx.profile.section<HostPwcConfig>()),
        walker_(ctx.machine.hypervisor().ept(), ctx.profile.section<HostConfig>().page_size, gpwc_, hpwc_,
                ntlb_, cache_) {}

  bool walk(const Event& ev, uint64_t& page_base, PageSize& size) {
    auto r = walker_.walk(*space().table, GuestVirtAddr(ev.addr), space().pcid);
    if (!count_walk(r.ok, r.cost)) return false;
    size = r.size;
    page_base = r.hpa.align_down(page_shift(size)).value;
    return true;
  }

  HostPhysAddr host_address(uint64_t hpa) const { return HostPhysAddr(hpa); }

  void reset_stats() override {
    Scheme::reset_stats();
    walker_.counters = {};
  }

  void finish() override {
    stats.details["guest_dimension_refs"] = static_cast<double>(walker_.counters.guest_refs);
    stats.details["host_dimension_refs"] = static_cast<double>(walker_.counters.host_refs);
    stats.details["nested_tlb_hits"] = static_cast<double>(walker_.counters.nested_tlb_hits);
  }

 private:
  WalkCache hpwc_;
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
