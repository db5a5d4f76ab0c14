// native: no virtualization. The guest's own tables are walked as a bare-metal OS's would be
// (one dimension, `paging.guest_levels` references when nothing is cached). Its physical
// addresses are the guest-physical ones; for --verify they are reported through the VM's memory
// map so that every scheme's answer can be compared.
#include "paging/paging_config.h"
#include "paging/walker.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class NativeScheme final : public TlbScheme<NativeScheme, GuestPhysAddr> {
 public:
  explicit NativeScheme(SchemeContext& ctx) : TlbScheme(ctx), pwc_(ctx.profile.section<PwcConfig>()) {}

  Translation<GuestPhysAddr> walk(const Event& ev) {
    return walk_1d(*space().table, GuestVirtAddr(ev.addr), space().pcid, pwc_, cache_).translation();
  }
  void on_guest_fault(const Event&, const Effect&) {}
  void on_os_event(const Effect&) {}
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t pcid) { pwc_.flush_asid(pcid); }

  HostPhysAddr host_address(GuestPhysAddr gpa) const {
    auto h = machine_.hypervisor().ept().translate(gpa);
    return h ? h->addr : HostPhysAddr(~0ull);
  }

 private:
  WalkCache pwc_;
};

}  // namespace

HVSIM_REGISTER_SCHEME(native, "native", "no virtualization: 1D radix walk of the guest's own tables", 0,
                      [](SchemeContext& ctx) { return std::make_unique<NativeScheme>(ctx); });

}  // namespace hvsim
