// The per-access loop shared by schemes that translate through a TLB hierarchy: TLB lookup, the
// scheme's walk on a miss (counted here, from the one Translation it returns), the data access
// through the cache model, and the guest kernel's own work for faults and OS events (the same on
// every scheme). A scheme supplies its hooks as ordinary members, checked by the TlbSchemeHooks
// concept and called without a virtual call per access.
#pragma once
#include <concepts>
#include <optional>
#include <span>
#include <utility>

#include "common/page_size.h"
#include "machine/machine.h"
#include "mem/cache_hierarchy.h"
#include "paging/translation.h"
#include "schemes/scheme.h"
#include "tlb/tlb_hierarchy.h"

namespace hvsim {

// The hooks of a scheme `S` whose TLB maps to `Out` pages. Every hook is a public member of S
// itself, spelt and typed exactly so (an empty body says there is nothing to do): a misspelt or
// inherited hook leaves the real one missing, and the scheme does not compile.
//   walk              a TLB miss on this access: translate it, counting exits and extras
//   on_guest_fault    the guest's handler served this access's fault (its own work is charged)
//   on_os_event       an OS event changed the guest's tables, address spaces or devices
//   on_switch         a CR3 write to another process (not the first one of the run)
//   flush_walk_caches translations of this PCID changed: drop what is cached beyond the TLB
//   host_address      (Out other than HostPhysAddr) the final address of a translated one, for --verify
//   on_tlb_hit        (only in a scheme declaring `static constexpr bool kTlbHitHook = true`) a
//                     TLB hit to page `page`: the cycles the hit costs on top (charged as TLB-hit
//                     cycles); tpt's tag check on every access
template <class S, class Out>
struct TlbSchemeHookTypes {  // each hook's exact type, as a pointer to a member of S
  using Walk = Translation<Out> (S::*)(const Event&);
  using GuestFault = void (S::*)(const Event&, const Effect&);
  using OsEvent = void (S::*)(const Effect&);
  using Switch = void (S::*)(const AddressSpace&);
  using FlushWalkCaches = void (S::*)(uint16_t);
  using HostAddress = HostPhysAddr (S::*)(Out) const;
  using TlbHitCheck = uint32_t (S::*)(Out);
};

// Whether scheme S asks for the on_tlb_hit hook.
template <class S>
constexpr bool wants_tlb_hit_hook() {
  if constexpr (requires { S::kTlbHitHook; })
    return S::kTlbHitHook;
  else
    return false;
}

template <class S, class Out>
concept TlbHitHook = !wants_tlb_hit_hook<S>() ||
                     std::same_as<decltype(&S::on_tlb_hit), typename TlbSchemeHookTypes<S, Out>::TlbHitCheck>;

// A scheme whose TLB holds other than host-physical pages says where they end up.
template <class S, class Out>
concept FinalAddressHook = std::same_as<Out, HostPhysAddr> ||
    std::same_as<decltype(&S::host_address), typename TlbSchemeHookTypes<S, Out>::HostAddress>;

template <class S, class Out>
concept TlbSchemeHooks = FinalAddressHook<S, Out> && TlbHitHook<S, Out> && requires {
  requires std::same_as<decltype(&S::walk), typename TlbSchemeHookTypes<S, Out>::Walk>;
  requires std::same_as<decltype(&S::on_guest_fault), typename TlbSchemeHookTypes<S, Out>::GuestFault>;
  requires std::same_as<decltype(&S::on_os_event), typename TlbSchemeHookTypes<S, Out>::OsEvent>;
  requires std::same_as<decltype(&S::on_switch), typename TlbSchemeHookTypes<S, Out>::Switch>;
  requires std::same_as<decltype(&S::flush_walk_caches),
                        typename TlbSchemeHookTypes<S, Out>::FlushWalkCaches>;
};

template <class Derived, class Out = HostPhysAddr>
class TlbScheme : public Scheme {
 public:
  // A TLB that holds guest-physical pages as final ones: no hypervisor below (IPIs do not exit).
  static constexpr bool kBareMetal = std::same_as<Out, GuestPhysAddr>;

  void run(std::span<const Event> events, const BatchEffects& fx, HostPhysAddr* out) override {
    static_assert(TlbSchemeHooks<Derived, Out>, "a scheme must define every hook (see TlbSchemeHooks)");
    Derived& self = static_cast<Derived&>(*this);
    EffectCursor cursor(fx);
    const uint32_t base = profile_.section<CoreConfig>().base_cycles_per_access;
    const uint32_t stlb = tlb_.l2_hit_cycles();
    const bool data = profile_.section<CacheHierarchyConfig>().data_accesses;
    for (uint32_t i = 0; i < events.size(); ++i) {
      const Event& ev = events[i];
      const EventEffect* e = cursor.at(i);
      if (!is_access(ev.kind)) {
        os_event(ev, e, fx);
        continue;
      }
      if (ev.pid != pid_ || !space_) switch_to(ev.pid);
      if (e) {
        open(e->fault.kind == FaultKind::kCopyOnWrite ? kCowFaultSlot : kPageFaultSlot);
        const Effect effect(*e, fx);
        invalidate(effect);
        charge_guest_fault(effect);
        self.on_guest_fault(ev, effect);
        close();
      }
      ++stats.accesses;
      stats.base_cycles += base;
      const GuestVirtAddr va(ev.addr);
      Out page;
      PageSize size;
      TlbHit hit = tlb_.lookup(va, space_->pcid, page, size);
      if (hit != TlbHit::kL1) {
        ++stats.tlb_l1_misses;
        if (hit == TlbHit::kL2) {
          stats.tlb_hit_cycles += stlb;
        } else {
          ++stats.tlb_l2_misses;
          const Translation<Out> t = self.walk(ev);
          count_walk(stats, t.ok(), t.cost);
          if (!t.ok()) continue;  // the scheme counted what the fault cost besides the walk
          page = t.page();
          size = t.size();
          tlb_.fill(va, space_->pcid, size, page);
        }
      }
      if constexpr (wants_tlb_hit_hook<Derived>()) {
        if (hit != TlbHit::kMiss) stats.tlb_hit_cycles += self.on_tlb_hit(page);
      }
      const Out translated(page.value | (ev.addr & (page_bytes(size) - 1)));
      if (out) {
        if constexpr (std::same_as<Out, HostPhysAddr>)
          out[i] = translated;
        else
          out[i] = std::as_const(self).host_address(translated);
      }
      if (data) stats.data_cycles += cache_.access(translated.value).cycles;
    }
  }

 protected:
  explicit TlbScheme(SchemeContext& ctx)
      : profile_(ctx.profile),
        machine_(ctx.machine),
        tlb_(ctx.profile.section<TlbConfig>()),
        cache_(ctx.profile.section<CacheHierarchyConfig>()) {}

  // One EPT violation (an exit and the host's handler) per guest page the host newly backed.
  void charge_ept_violations(const EventEffect& e) {
    for (uint32_t p = 0; p < e.memory.host_pages_populated; ++p)
      stats.exit(ExitReason::kEptViolation, Cost::kEptViolation);
  }

  const AddressSpace& space() const { return *space_; }

  const Profile& profile_;
  Machine& machine_;
  TlbHierarchy<Out> tlb_;
  CacheHierarchy cache_;

 private:
  void os_event(const Event& ev, const EventEffect* e, const BatchEffects& fx) {
    open(static_cast<size_t>(ev.kind));
    if (ev.kind == EventKind::kContextSwitch) switch_to(ev.pid);
    charge_guest_os_event(ev, e);
    if (e) {
      const Effect effect(*e, fx);
      invalidate(effect);
      static_cast<Derived&>(*this).on_os_event(effect);
      // The current address space went away (exit, exec): look it up again on next use.
      if (e->space.old_pcid && space_ && ev.pid == pid_) space_ = nullptr;
    }
    close();
  }

  // Charges until close() are also the per-operation cost of event slot `slot`.
  void open(size_t slot) { stats.open_slot = static_cast<uint8_t>(slot); }
  void close() {
    ++stats.events[stats.open_slot].count;
    stats.open_slot = SchemeStats::kNoSlot;
  }

  // What the guest kernel itself does for a demand, copy-on-write or protection fault: the
  // handler, the entries it writes, the table pages it allocates.
  void charge_guest_fault(const Effect& fx) {
    ++stats.guest_faults;
    stats.charge(Account::kGuest, Cost::kGuestPageFault);
    stats.charge(Account::kGuest, Cost::kPteWrite, fx->writes.count);
    if (fx->fault.copied) stats.charge(Account::kGuest, Cost::kPageCopy);
    PtAllocScope tables(stats);
    stats.charge(Account::kGuest, Cost::kPtPageAlloc, fx->tables_allocated.count);
  }

  // The guest kernel's own work for an OS event.
  void charge_guest_os_event(const Event& ev, const EventEffect* e) {
    if (std::optional<Cost> c = guest_os_cost(ev.kind, kBareMetal)) stats.charge(Account::kGuest, *c);
    if (!e) return;
    stats.charge(Account::kGuest, Cost::kPteWrite, e->writes.count);
    stats.charge(Account::kGuest, Cost::kPageFree, e->memory.data_pages_freed);
    if (e->flush_pcid)
      stats.charge(Account::kGuest, Cost::kTlbFlush);
    else
      stats.charge(Account::kGuest, Cost::kInvlpg, e->invalidations.count);
    PtAllocScope tables(stats);
    stats.charge(Account::kGuest, Cost::kPtPageAlloc, e->tables_allocated.count);
    stats.charge(Account::kGuest, Cost::kPtPageFree, e->tables_freed.count);
  }

  // The system call or kernel path an OS event kind costs, besides the page tables.
  static std::optional<Cost> guest_os_cost(EventKind kind, bool bare_metal) {
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
        return bare_metal ? Cost::kIpi : Cost::kVirtualIpi;
      case EventKind::kDmaMap:
      case EventKind::kDmaUnmap:
        return Cost::kIommuMap;
      default:
        return std::nullopt;
    }
  }

  // Drops the TLB entries an event made stale, and whatever else the scheme caches for them.
  void invalidate(const Effect& fx) {
    for (const TlbInvalidation& inv : fx.invalidations()) {
      tlb_.invalidate_page(GuestVirtAddr(inv.va), inv.pcid, inv.size);
      static_cast<Derived&>(*this).flush_walk_caches(inv.pcid);
    }
    for (uint16_t pcid : {fx->flush_pcid, fx->space.old_pcid}) {
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
