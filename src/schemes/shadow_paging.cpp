#include "schemes/shadow_paging.h"

#include "paging/paging_config.h"

namespace hvsim {

ShadowPaging::ShadowPaging(SchemeContext& ctx, SchemeStats& stats, CacheHierarchy& cache)
    : stats_(stats),
      cache_(cache),
      pwc_(ctx.profile.section<PwcConfig>()),
      tables_(ctx.machine.hypervisor(), ctx.machine.pool_bytes(),
              ctx.profile.section<PagingConfig>().guest_levels) {}

bool ShadowPaging::hidden_fault(const AddressSpace& as, GuestVirtAddr va, const WalkCost& missed,
                                uint64_t& hv_walk_refs) {
  auto fill = tables_.fill(as, va, cache_);
  stats_.exit(ExitReason::kHiddenFault, Cost::kShadowFill, fill.software_walk.cycles);
  hv_walk_refs += fill.software_walk.refs;
  if (fill.ok) count_walk(stats_, false, missed);
  return fill.ok;
}

void ShadowPaging::drop_cow_source(const Event& access, const Effect& fx) {
  if (fx->fault.kind != FaultKind::kCopyOnWrite) return;
  const uint64_t page = GuestVirtAddr(access.addr).align_down(page_shift(fx->fault.size)).value;
  tables_.zap(access.pid, page, page + page_bytes(fx->fault.size));
}

bool ShadowPaging::trap_write(const GuestPteWrite& w) {
  if (!tables_.trap_write(w.entry)) return false;
  write_trapped();
  return true;
}

void ShadowPaging::guest_fault(const Event& access, const Effect& fx, const AddressSpace& as) {
  // The shadow walk faulted: the #PF is intercepted, found to be the guest's own, and injected.
  intercept_fault();
  if (fx->fault.kind == FaultKind::kProtection) return;
  drop_cow_source(access, fx);
  // The emulation of a trapped write also updates the shadow entry (as KVM's write emulation does).
  bool leaf_synced = false;
  for (const GuestPteWrite& w : fx.writes())
    if (trap_write(w) && w.level == leaf_level(fx->fault.size)) leaf_synced = true;
  if (leaf_synced) tables_.fill(as, GuestVirtAddr(access.addr), cache_);
  charge_population(fx);
}

void ShadowPaging::os_event(const Effect& fx) {
  for (const GuestPteWrite& w : fx.writes()) trap_write(w);
  for (GuestPhysAddr t : fx.tables_freed()) tables_.forget_guest_table(t);
  follow(fx);
  tlb_maintenance(fx);
  charge_population(fx);
}

void ShadowPaging::follow(const Effect& fx) {
  uint64_t pages = 0;
  if (fx->space.gone())
    pages = tables_.drop(fx->pid);
  else if (!fx->unmapped.empty())
    tables_.zap(fx->pid, fx->unmapped.start, fx->unmapped.end);
  if (!pages) return;
  PtAllocScope tables(stats_);  // shadow teardown
  stats_.charge(Account::kHypervisor, Cost::kPtPageFree, pages);
}

void ShadowPaging::tlb_maintenance(const Effect& fx) {
  for (size_t i = 0; i < fx.invalidations().size(); ++i) stats_.exit(ExitReason::kInvlpg, Cost::kInvlpg);
  if (fx->cr3_write()) cr3_write();
}

}  // namespace hvsim
