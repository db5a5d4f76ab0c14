// native: no virtualization. The guest's own tables are walked as a bare-metal OS's would be
// (one dimension, `paging.guest_levels` references when nothing is cached). Its physical
// addresses are the guest-physical ones; for --verify they are reported through the VM's memory
// map so that every scheme's answer can be compared.
#include "paging/walker.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class NativeScheme final : public TlbScheme<NativeScheme> {
 public:
  static constexpr bool kNative = true;
  explicit NativeScheme(SchemeContext& ctx) : TlbScheme(ctx), pwc_(ctx.profile.section<PwcConfig>()) {}

  void flush_walk_caches(uint16_t pcid) { pwc_.flush_asid(pcid); }

  void on_guest_fault(const Event&, const EventEffect& e, EffectCursor&) { charge_guest_fault(e); }

  bool walk(const Event& ev, uint64_t& page_base, PageSize& size) {
    auto w = walk_1d(*space().table, GuestVirtAddr(ev.addr), space().pcid, pwc_, cache_);
    if (!count_walk(w.path.ok, w.cost)) return false;
    size = w.path.size;
    page_base = w.path.result.align_down(page_shift(size)).value;
    return true;
  }

  HostPhysAddr host_address(uint64_t gpa) const {
    auto h = machine_.hypervisor().ept().translate(GuestPhysAddr(gpa));
    return h ? h->addr : HostPhysAddr(~0ull);
  }

 private:
  WalkCache pwc_;
};

}  // namespace

HVSIM_REGISTER_SCHEME(native, "native", "no virtualization: 1D radix walk of the guest's own tables", 0,
                      [](SchemeContext& ctx) { return std::make_unique<NativeScheme>(ctx); });

}  // namespace hvsim
