// nested: hardware two-dimensional paging (Intel EPT / AMD NPT). Guest page faults are handled by
// the guest without exits; the host populates guest memory on EPT violations.
#include "hv/nested_walker.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class NestedScheme final : public TlbScheme<NestedScheme> {
 public:
  explicit NestedScheme(SchemeContext& ctx)
      : TlbScheme(ctx),
        gpwc_(ctx.profile.pwc),
        hpwc_(ctx.profile.host_pwc),
        ntlb_(ctx.profile.nested_tlb_entries, ctx.profile.nested_tlb_ways),
        walker_(ctx.machine.hypervisor().ept(), ctx.profile.host_page_size, gpwc_, hpwc_, ntlb_, cache_) {}

  void on_guest_fault(const Event&, const EventEffect& e, EffectCursor&) {
    charge_guest_fault(e);
    charge_ept_violations(e);
  }
  // New guest table pages (fork, exec) are backed by the host when first touched, too.
  void on_os_event(const Event&, const EventEffect* e, EffectCursor&) {
    if (e) charge_ept_violations(*e);
  }
  void flush_walk_caches(uint16_t pcid) { gpwc_.flush_asid(pcid); }

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
  WalkCache gpwc_, hpwc_;
  NestedTlb ntlb_;
  NestedWalker walker_;
};

}  // namespace

HVSIM_REGISTER_SCHEME(nested, "nested", "EPT/NPT two-dimensional walk with a nested TLB", 1,
                      [](SchemeContext& ctx) { return std::make_unique<NestedScheme>(ctx); });

}  // namespace hvsim
