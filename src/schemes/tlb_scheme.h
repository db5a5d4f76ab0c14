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
#include <optional>
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
        open(static_cast<size_t>(ev.kind));
        if (ev.kind == EventKind::kContextSwitch) switch_to(ev.pid);
        charge_guest_os_event(ev, e);
        if (e) invalidate(*e, cursor);
        self.on_os_event(ev, e, cursor);
        // The current address space went away (exit, exec): look it up again on next use.
        if (e && e->old_pcid && space_ && ev.pid == pid_) space_ = nullptr;
        close();
        continue;
      }
      if (ev.pid != pid_ || !space_) switch_to(ev.pid);
      if (e) {
        open(e->cow_fault ? kCowFaultSlot : kPageFaultSlot);
        invalidate(*e, cursor);
        self.on_guest_fault(ev, *e, cursor);
        close();
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
    stats.charge(Account::kGuest, Cost::kGuestPageFault);
    stats.charge(Account::kGuest, Cost::kPteWrite, e.write_count);
    if (e.cow_copied) stats.charge(Account::kGuest, Cost::kPageCopy);
    PtAllocScope tables(stats);
    stats.charge(Account::kGuest, Cost::kPtPageAlloc, e.table_alloc_count);
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
      stats.exit(ExitReason::kEptViolation, Cost::kEptViolation);
  }

  const AddressSpace& space() const { return *space_; }

  const Profile& profile_;
  Machine& machine_;
  TlbHierarchy tlb_;
  CacheHierarchy cache_;

 private:
  // Charges until close() are also the per-operation cost of event slot `slot`.
  void open(size_t slot) { stats.open_slot = static_cast<uint8_t>(slot); }
  void close() {
    ++stats.events[stats.open_slot].count;
    stats.open_slot = SchemeStats::kNoSlot;
  }

  // The guest kernel's own work for an OS event: the same on every scheme.
  void charge_guest_os_event(const Event& ev, const EventEffect* e) {
    if (std::optional<Cost> c = guest_os_cost(ev.kind, Derived::kNative)) stats.charge(Account::kGuest, *c);
    if (!e) return;
    stats.charge(Account::kGuest, Cost::kPteWrite, e->write_count);
    stats.charge(Account::kGuest, Cost::kPageFree, e->data_pages_freed);
    if (e->flush_pcid)
      stats.charge(Account::kGuest, Cost::kTlbFlush);
    else
      stats.charge(Account::kGuest, Cost::kInvlpg, e->invalidation_count);
    PtAllocScope tables(stats);
    stats.charge(Account::kGuest, Cost::kPtPageAlloc, e->table_alloc_count);
    stats.charge(Account::kGuest, Cost::kPtPageFree, e->table_free_count);
  }

  // The system call or kernel path an OS event kind costs, besides the page tables.
  static std::optional<Cost> guest_os_cost(EventKind kind, bool native) {
    switch (kind) {
      case EventKind::kProcessCreate:
        return Cost::kFork;
      case EventKind::kProcessExit:
        return Cost::kExit;
      case EventKind::kExec:
        return Cost::kExec;
      case EventKind::kMmap:
      case EventKind::kMunmap:
      case EventKind::kMprotect:
      case EventKind::kMadviseDontneed:
      case EventKind::kBrk:
        return Cost::kMmap;
      case EventKind::kContextSwitch:
        return Cost::kContextSwitch;
      case EventKind::kTlbShootdown:
        return native ? Cost::kIpi : Cost::kVirtualIpi;
      case EventKind::kDmaMap:
      case EventKind::kDmaUnmap:
        return Cost::kIommuMap;
      default:
        return std::nullopt;
    }
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
