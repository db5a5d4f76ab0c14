// shadow: software shadow paging. The hardware walks hypervisor-kept gVA->hPA tables in one
// dimension; the price is paid in exits: guest page faults are intercepted and reflected, writes
// to shadowed (write-protected) guest page tables trap and are emulated, a shadow miss on a page
// the guest has mapped is a hidden fault, and every CR3 write exits.
#include "hv/shadow_tables.h"
#include "schemes/scheme_details.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

class ShadowScheme final : public TlbScheme<ShadowScheme> {
 public:
  explicit ShadowScheme(SchemeContext& ctx)
      : TlbScheme(ctx),
        pwc_(ctx.profile.section<PwcConfig>()),
        shadow_(ctx.machine.hypervisor(), ctx.machine.pool_bytes(),
                ctx.profile.section<PagingConfig>().guest_levels) {}

  void on_guest_fault(const Event& ev, const EventEffect& e, EffectCursor& cursor) {
    charge_guest_fault(e);
    // The #PF is intercepted (the shadow walk faulted), found to be the guest's own, and injected.
    stats.exit(ExitReason::kGuestPageFault, Cost::kInterruptInjection);
    if (e.protection_fault) return;
    const uint64_t page = GuestVirtAddr(ev.addr).align_down(page_shift(e.guest_size)).value;
    if (e.cow_fault) shadow_.zap(ev.pid, page, page + page_bytes(e.guest_size));  // the old frame's entry
    // Each entry the guest handler writes into a shadowed table page traps and is emulated; the
    // emulation also updates the shadow entry (as KVM's write emulation does).
    bool leaf_synced = false;
    for (const GuestPteWrite& w : cursor.writes(e)) {
      if (!shadow_.trap_write(w.entry)) continue;
      stats.exit(ExitReason::kPteWrite, Cost::kShadowPteWrite);
      if (w.level == leaf_level(e.guest_size)) leaf_synced = true;
    }
    if (leaf_synced) shadow_.fill(space(), GuestVirtAddr(ev.addr), cache_);
    charge_host_population(e);
  }

  void on_os_event(const Event& ev, const EventEffect* e, EffectCursor& cursor) {
    if (!e) return;
    for (const GuestPteWrite& w : cursor.writes(*e))
      if (shadow_.trap_write(w.entry)) stats.exit(ExitReason::kPteWrite, Cost::kShadowPteWrite);
    for (GuestPhysAddr t : cursor.tables_freed(*e)) shadow_.forget_guest_table(t);
    if (uint64_t pages = shadow_.follow(ev, e ? e->unmapped : AddressRange{})) {  // shadow teardown
      PtAllocScope tables(stats);
      stats.charge(Account::kHypervisor, Cost::kPtPageFree, pages);
    }
    // With shadow paging the hypervisor intercepts the guest's TLB maintenance.
    for (size_t i = 0; i < cursor.invalidations(*e).size(); ++i)
      stats.exit(ExitReason::kInvlpg, Cost::kInvlpg);
    if (e->flush_pcid && ev.kind != EventKind::kProcessExit && ev.kind != EventKind::kExec)
      stats.exit(ExitReason::kCr3Write, Cost::kCr3Write);
    charge_host_population(*e);
  }

  void flush_walk_caches(uint16_t pcid) { pwc_.flush_asid(pcid); }

  // Backing memory is allocated inside exits already taken: handler work but no exit of its own.
  void charge_host_population(const EventEffect& e) {
    stats.charge(Account::kHypervisor, Cost::kEptViolation, e.host_pages_populated);
    host_pages_populated_ += e.host_pages_populated;
  }

  void on_switch(const AddressSpace&) { stats.exit(ExitReason::kCr3Write, Cost::kCr3Write); }

  bool walk(const Event& ev, uint64_t& page_base, PageSize& size) {
    GuestVirtAddr va(ev.addr);
    ShadowTable& table = shadow_.table_for(space());
    auto w = walk_1d(table, va, space().pcid, pwc_, cache_);
    stats.walk_cycles += w.cost.cycles;
    if (!w.path.ok) {
      ++stats.faulting_walks;
      stats.faulting_walk_refs += w.cost.refs;
      auto fill = shadow_.fill(space(), va, cache_);
      stats.exit(ExitReason::kHiddenFault, Cost::kShadowFill, fill.software_walk.cycles);
      hv_walk_refs_ += fill.software_walk.refs;
      if (!fill.ok) return false;
      w = walk_1d(table, va, space().pcid, pwc_, cache_);
      stats.walk_cycles += w.cost.cycles;
      if (!w.path.ok) throw_shadow_refill_failed(va);
    }
    ++stats.walks;
    stats.walk_mem_refs += w.cost.refs;
    size = w.path.size;
    page_base = w.path.result.align_down(page_shift(size)).value;
    return true;
  }

  HostPhysAddr host_address(uint64_t hpa) const { return HostPhysAddr(hpa); }

  void reset_stats() override {
    Scheme::reset_stats();
    hv_walk_refs_ = 0;
    host_pages_populated_ = 0;
  }

  void finish() override {
    stats.details["hypervisor_walk_refs"] = static_cast<double>(hv_walk_refs_);
    stats.details["host_pages_populated"] = static_cast<double>(host_pages_populated_);
    stats.details["shadow_table_pages"] = static_cast<double>(shadow_.table_pages());
    stats.details["shadowed_guest_table_pages"] = static_cast<double>(shadow_.shadowed_pages());
  }

 private:
  WalkCache pwc_;
  ShadowTables shadow_;
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
