// Shadow paging's policy, the part the shadow, switching and agile schemes compose: the
// hypervisor keeps gVA->hPA tables that the hardware walks in one dimension, and pays in exits.
// Guest page faults are intercepted and reflected; writes to shadowed (write-protected) guest
// table pages trap and are emulated; a shadow miss on a page the guest has mapped is a hidden
// fault; the guest's CR3 writes and TLB maintenance are intercepted. Each rule is here once.
#pragma once
#include <cstdint>

#include "common/scheme_stats.h"
#include "hv/shadow_tables.h"
#include "machine/effects.h"
#include "paging/translation.h"
#include "schemes/scheme.h"

namespace hvsim {

class ShadowPaging {
 public:
  ShadowPaging(SchemeContext& ctx, SchemeStats& stats, CacheHierarchy& cache);

  // The hardware walk of `as`'s shadow table for `va`; a miss is a hidden fault, after which the
  // walk is retried (and the missed walk counted). The hypervisor's software-walk references go
  // to `hv_walk_refs`.
  Translation<HostPhysAddr> walk(const AddressSpace& as, GuestVirtAddr va, uint64_t& hv_walk_refs) {
    ShadowTable& table = tables_.table_for(as);
    auto w = walk_1d(table, va, as.pcid, pwc_, cache_);
    if (w.end.ok || !hidden_fault(as, va, w.cost, hv_walk_refs)) return w.translation();
    w = walk_1d(table, va, as.pcid, pwc_, cache_);
    if (!w.end.ok) throw_shadow_refill_failed(va);
    return w.translation();
  }

  // A hardware walk of the shadow table ended on a missing entry after costing `missed`: the
  // hypervisor exits, walks the guest table in software and fills the shadow entry. True if it
  // did (the missed walk is counted here as a faulting one and the caller walks again); false if
  // the guest maps nothing there either (the missed walk is the caller's answer: a fault).
  bool hidden_fault(const AddressSpace& as, GuestVirtAddr va, const WalkCost& missed, uint64_t& hv_walk_refs);

  // A guest page fault under shadow paging: intercepted and reflected; a copy-on-write drops the
  // old frame's shadow entry; the handler's writes to shadowed table pages trap (a leaf write is
  // emulated by filling the shadow entry); new host memory is allocated inside those exits.
  void guest_fault(const Event& access, const Effect& fx, const AddressSpace& as);
  // The parts of it agile uses on their own.
  void intercept_fault() { stats_.exit(ExitReason::kGuestPageFault, Cost::kInterruptInjection); }
  void drop_cow_source(const Event& access, const Effect& fx);

  // An OS event under shadow paging: its table writes trap, freed guest table pages stop being
  // shadowed, the shadow tables follow what was unmapped or torn down, the guest's TLB
  // maintenance exits, and new host memory is allocated inside those exits.
  void os_event(const Effect& fx);
  // Shadow entries of an unmapped range go; a torn-down address space's shadow table is freed.
  void follow(const Effect& fx);
  // The hypervisor intercepts the guest's TLB maintenance: each INVLPG, and a CR3 reload.
  void tlb_maintenance(const Effect& fx);
  // A guest CR3 write exits: the hypervisor loads the matching shadow table.
  void cr3_write() { stats_.exit(ExitReason::kCr3Write, Cost::kCr3Write); }
  // A guest write to `w`'s table page: true if it trapped (the page is shadowed).
  bool trap_write(const GuestPteWrite& w);
  // A trapped write to a guest table page, emulated by the hypervisor.
  void write_trapped() { stats_.exit(ExitReason::kPteWrite, Cost::kShadowPteWrite); }
  // Backing memory allocated inside exits already taken: handler work but no exit of its own.
  void charge_population(const Effect& fx) {
    stats_.charge(Account::kHypervisor, Cost::kEptViolation, fx->memory.host_pages_populated);
  }

  ShadowTables& tables() { return tables_; }
  WalkCache& pwc() { return pwc_; }
  size_t table_pages() const { return tables_.table_pages(); }
  size_t shadowed_pages() const { return tables_.shadowed_pages(); }

 private:
  SchemeStats& stats_;
  CacheHierarchy& cache_;
  WalkCache pwc_;
  ShadowTables tables_;
};

}  // namespace hvsim
