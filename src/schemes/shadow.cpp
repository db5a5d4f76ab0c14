// shadow: software shadow paging. The hardware walks hypervisor-kept gVA->hPA tables in one
// dimension; the price is paid in exits: guest page faults are intercepted and reflected, writes
// to shadowed (write-protected) guest page tables trap and are emulated, a shadow miss on a page
// the guest has mapped is a hidden fault, and every CR3 write exits. All of it is the
// ShadowPaging part (schemes/shadow_paging.h), on its own here.
#include "hv/shadow_tables.h"
#include "schemes/scheme_details.h"
#include "schemes/shadow_paging.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class ShadowScheme final : public TlbScheme<ShadowScheme> {
 public:
  explicit ShadowScheme(SchemeContext& ctx) : TlbScheme(ctx), shadow_(ctx, stats, cache_) {}

  Translation<HostPhysAddr> walk(const Event& ev) {
    return shadow_.walk(space(), GuestVirtAddr(ev.addr), hv_walk_refs_);
  }
  void on_guest_fault(const Event& ev, const Effect& fx) {
    shadow_.guest_fault(ev, fx, space());
    host_pages_populated_ += fx->memory.host_pages_populated;
  }
  void on_os_event(const Effect& fx) {
    shadow_.os_event(fx);
    host_pages_populated_ += fx->memory.host_pages_populated;
  }
  void on_switch(const AddressSpace&) { shadow_.cr3_write(); }
  void flush_walk_caches(uint16_t pcid) { shadow_.pwc().flush_asid(pcid); }

  void finish() override {
    stats.details["hypervisor_walk_refs"] = static_cast<double>(hv_walk_refs_);
    stats.details["host_pages_populated"] = static_cast<double>(host_pages_populated_);
    stats.details["shadow_table_pages"] = static_cast<double>(shadow_.table_pages());
    stats.details["shadowed_guest_table_pages"] = static_cast<double>(shadow_.shadowed_pages());
  }

 private:
  ShadowPaging shadow_;
  uint64_t hv_walk_refs_ = 0;
  uint64_t host_pages_populated_ = 0;
};

}  // namespace

HVSIM_REGISTER_SCHEME(shadow, "shadow", "hypervisor-kept gVA->hPA shadow tables; exits on guest table writes",
                      2, [](SchemeContext& ctx) { return std::make_unique<ShadowScheme>(ctx); });

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(shadow_details,
                     {"hypervisor_walk_refs", "references",
                      "entries the hypervisor's software walks fetched (hidden faults)"},
                     {"host_pages_populated", "pages", "guest pages the host backed inside shadow exits"},
                     {"shadow_table_pages", "pages", "shadow table pages at the end", DetailKind::kLevel},
                     {"shadowed_guest_table_pages", "pages", "guest table pages write-protected at the end",
                      DetailKind::kLevel});

}  // namespace hvsim
