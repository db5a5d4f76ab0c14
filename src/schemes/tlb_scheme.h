// The per-access loop shared by schemes that translate through a TLB hierarchy: TLB lookup, a
// scheme-specific walk on a miss, the data access through the cache model. Derived classes
// provide the scheme-specific parts as ordinary (inlined) member functions, so the hot loop has
// no virtual call per access:
//   void on_guest_fault(const Event&, const EventEffect&, EffectCursor&);
//   void on_os_event(const Event&, const EventEffect*, EffectCursor&);
//   void on_switch(const AddressSpace& next);            // CR3 write to another process
//   void flush_walk_caches(uint16_t pcid);               // translations of pcid changed
//   bool walk(const Event&, uint64_t& page_base, PageSize& size);  // false: no translation
//   HostPhysAddr host_address(uint64_t translated);      // for --verify
#pragma once
#include <span>

#include "common/page_size.h"
#include "machine/machine.h"
#include "mem/cache_hierarchy.h"
#include "paging/walker.h"
#include "schemes/scheme.h"
#include "tlb/tlb_hierarchy.h"

namespace hvsim {

template <class Derived>
class TlbScheme : public Scheme {
 public:
  // Schemes that run the guest on bare metal set this (IPIs do not exit).
  static constexpr bool kNative = false;

  void run(std::span<const Event> events, const BatchEffects& fx, HostPhysAddr* out) override {
    Derived& self = static_cast<Derived&>(*this);
    EffectCursor cursor(fx);
    const uint32_t base = profile_.section<CoreConfig>().base_cycles_per_access;
    const uint32_t stlb = tlb_.l2_hit_cycles();
    const bool data = profile_.section<CacheHierarchyConfig>().data_accesses;
    for (uint32_t i = 0; i < events.size(); ++i) {
      const Event& ev = events[i];
      const EventEffect* e = cursor.at(i);
      if (!is_access(ev.kind)) {
        const uint64_t before = charged();
        if (ev.kind == EventKind::kContextSwitch) switch_to(ev.pid);
        charge_guest_os_event(ev, e);
        if (e) invalidate(*e, cursor);
        self.on_os_event(ev, e, cursor);
        // The current address space went away (exit, exec): look it up again on next use.
        if (e && e->old_pcid && space_ && ev.pid == pid_) space_ = nullptr;
        record(static_cast<size_t>(ev.kind), before);
        continue;
      }
      if (ev.pid != pid_ || !space_) switch_to(ev.pid);
      if (e) {
        const uint64_t before = charged();
        invalidate(*e, cursor);
        self.on_guest_fault(ev, *e, cursor);
        record(e->cow_fault ? kCowFaultSlot : kPageFaultSlot, before);
      }
      ++stats.accesses;
      stats.base_cycles += base;
      uint64_t page_base;
      PageSize size;
      TlbHit hit = tlb_.lookup(ev.addr, space_->pcid, page_base, size);
      if (hit != TlbHit::kL1) {
        ++stats.tlb_l1_misses;
        if (hit == TlbHit::kL2) {
          stats.tlb_hit_cycles += stlb;
        } else {
          ++stats.tlb_l2_misses;
          if (!self.walk(ev, page_base, size)) continue;  // the scheme counted the fault
          tlb_.fill(ev.addr, space_->pcid, size, page_base);
        }
      }
      uint64_t translated = page_base | (ev.addr & (page_bytes(size) - 1));
      if (out) out[i] = self.host_address(translated);
      if (data) stats.data_cycles += cache_.access(translated).cycles;
    }
  }

 protected:
  explicit TlbScheme(SchemeContext& ctx)
      : profile_(ctx.profile),
        machine_(ctx.machine),
        tlb_(ctx.profile.section<TlbConfig>()),
        cache_(ctx.profile.section<CacheHierarchyConfig>()) {}

  // Default hooks; derived classes hide the ones they need.
  void on_guest_fault(const Event&, const EventEffect&, EffectCursor&) {}
  void on_os_event(const Event&, const EventEffect*, EffectCursor&) {}
  void on_switch(const AddressSpace&) {}
  // Translations of `pcid` changed: drop what the scheme caches beyond the TLB (page-walk caches
  // hold table frames that may have been freed).
  void flush_walk_caches(uint16_t) {}

  // Charges what the guest kernel itself does for a demand, copy-on-write or protection fault
  // (the same on every scheme): the handler, the entries it writes, the table pages it allocates.
  void charge_guest_fault(const EventEffect& e) {
    ++stats.guest_faults;
    uint64_t c = profile_.guest_page_fault_cycles + uint64_t{e.write_count} * profile_.pte_write_cycles;
    if (e.cow_copied) c += profile_.page_copy_cycles;
    uint64_t tables = uint64_t{e.table_alloc_count} * profile_.pt_page_alloc_cycles;
    stats.pt_alloc_cycles += tables;
    stats.guest_cycles += c + tables;
  }

  // Counts one hardware walk of `cost`: a completed one (ok) or one that ended on a non-present
  // entry. Returns ok.
  bool count_walk(bool ok, const WalkCost& cost) {
    stats.walk_cycles += cost.cycles;
    if (!ok) {
      ++stats.faulting_walks;
      stats.faulting_walk_refs += cost.refs;
      return false;
    }
    ++stats.walks;
    stats.walk_mem_refs += cost.refs;
    return true;
  }

  // One EPT violation (an exit and the host's handler) per guest page the host newly backed.
  void charge_ept_violations(const EventEffect& e) {
    for (uint32_t p = 0; p < e.host_pages_populated; ++p)
      stats.exit(ExitReason::kEptViolation, profile_.ept_violation_cycles, profile_.vm_exit_cycles);
  }

  const AddressSpace& space() const { return *space_; }

  const Profile& profile_;
  Machine& machine_;
  TlbHierarchy tlb_;
  CacheHierarchy cache_;

 private:
  uint64_t charged() const { return stats.guest_cycles + stats.hypervisor_cycles; }
  void record(size_t slot, uint64_t before) {
    ++stats.events[slot].count;
    stats.events[slot].cycles += charged() - before;
  }

  // The guest kernel's own work for an OS event: the same on every scheme.
  void charge_guest_os_event(const Event& ev, const EventEffect* e) {
    const Profile& p = profile_;
    uint64_t c = 0;
    switch (ev.kind) {
      case EventKind::kProcessCreate:
        c += p.fork_cycles;
        break;
      case EventKind::kProcessExit:
        c += p.exit_cycles;
        break;
      case EventKind::kExec:
        c += p.exec_cycles;
        break;
      case EventKind::kMmap:
      case EventKind::kMunmap:
      case EventKind::kMprotect:
      case EventKind::kMadviseDontneed:
      case EventKind::kBrk:
        c += p.mmap_cycles;
        break;
      case EventKind::kContextSwitch:
        c += p.context_switch_cycles;
        break;
      case EventKind::kTlbShootdown:
        c += Derived::kNative ? p.ipi_cycles : p.virtual_ipi_cycles;
        break;
      case EventKind::kDmaMap:
      case EventKind::kDmaUnmap:
        c += p.iommu_map_cycles;
        break;
      default:
        break;
    }
    if (e) {
      c += uint64_t{e->write_count} * p.pte_write_cycles + uint64_t{e->data_pages_freed} * p.page_free_cycles;
      c += e->flush_pcid ? p.tlb_flush_cycles : uint64_t{e->invalidation_count} * p.invlpg_cycles;
      uint64_t tables = uint64_t{e->table_alloc_count} * p.pt_page_alloc_cycles +
                        uint64_t{e->table_free_count} * p.pt_page_free_cycles;
      stats.pt_alloc_cycles += tables;
      c += tables;
    }
    stats.guest_cycles += c;
  }

  // Drops the TLB entries an event made stale, and whatever else the scheme caches for them.
  void invalidate(const EventEffect& e, EffectCursor& cursor) {
    for (const TlbInvalidation& inv : cursor.invalidations(e)) {
      tlb_.invalidate_page(inv.va, inv.pcid, inv.size);
      static_cast<Derived&>(*this).flush_walk_caches(inv.pcid);
    }
    for (uint16_t pcid : {e.flush_pcid, e.old_pcid}) {
      if (!pcid) continue;
      tlb_.flush_asid(pcid);
      static_cast<Derived&>(*this).flush_walk_caches(pcid);
    }
  }

  void switch_to(uint32_t pid) {
    if (space_ && pid == pid_) return;
    const AddressSpace* next = machine_.guest().find_space(pid);
    if (!next) next = &machine_.guest().space(pid);  // unreachable in practice: prepare() creates it
    bool first = space_ == nullptr && pid_ == kNoPid;
    pid_ = pid;
    space_ = next;
    if (!first) static_cast<Derived&>(*this).on_switch(*next);
  }

  static constexpr uint32_t kNoPid = ~0u;
  uint32_t pid_ = kNoPid;
  const AddressSpace* space_ = nullptr;
};

}  // namespace hvsim
