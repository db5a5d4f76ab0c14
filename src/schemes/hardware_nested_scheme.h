// The family of schemes whose hardware walks a guest dimension over host paging (nested, the
// direct-segment schemes, tdp-large): the guest handles its own faults and table writes with no
// exit, the host backs newly touched guest pages on EPT violations, and the guest dimension has
// its own page-walk cache, plus a nested TLB for gPA -> hPA. Each member adds its walk.
#pragma once
#include "schemes/tlb_scheme.h"
#include "tlb/nested_tlb.h"

namespace hvsim {

template <class Derived>
class HardwareNestedScheme : public TlbScheme<Derived> {
 public:
  void on_guest_fault(const Event&, const EventEffect& e, EffectCursor&) {
    this->charge_guest_fault(e);
    this->charge_ept_violations(e);  // the machine reports only page-backed (not segment) memory
  }
  // New guest table pages (fork, exec) are backed by the host when first touched, too.
  void on_os_event(const Event&, const EventEffect* e, EffectCursor&) {
    if (e) this->charge_ept_violations(*e);
  }
  void flush_walk_caches(uint16_t pcid) { gpwc_.flush_asid(pcid); }

 protected:
  explicit HardwareNestedScheme(SchemeContext& ctx)
      : TlbScheme<Derived>(ctx),
        gpwc_(ctx.profile.section<PwcConfig>()),
        ntlb_(ctx.profile.section<NestedTlbConfig>()) {}

  WalkCache gpwc_;
  NestedTlb ntlb_;
};

}  // namespace hvsim
