// The per-access loop shared by schemes that translate through a TLB hierarchy: TLB lookup, a
// scheme-specific walk on a miss, the data access through the cache model. Derived classes
// provide the scheme-specific parts as ordinary (inlined) member functions, so the hot loop has
// no virtual call per access:
//   void on_guest_fault(const Event&, const EventEffect&, EffectCursor&);
//   void on_os_event(const Event&, const EventEffect*, EffectCursor&);
//   void on_switch(const AddressSpace& next);            // CR3 write to another process
//   bool walk(const Event&, uint64_t& page_base, PageSize& size);  // false: no translation
//   HostPhysAddr host_address(uint64_t translated);      // for --verify
#pragma once
#include <span>

#include "common/page_size.h"
#include "hv/machine.h"
#include "mem/cache_hierarchy.h"
#include "schemes/scheme.h"
#include "tlb/tlb_hierarchy.h"

namespace hvsim {

template <class Derived>
class TlbScheme : public Scheme {
 public:
  void run(std::span<const Event> events, const BatchEffects& fx, HostPhysAddr* out) override {
    Derived& self = static_cast<Derived&>(*this);
    EffectCursor cursor(fx);
    const uint32_t base = profile_.base_cycles_per_access;
    const uint32_t stlb = tlb_.l2_hit_cycles();
    const bool data = profile_.cache_data_accesses;
    for (uint32_t i = 0; i < events.size(); ++i) {
      const Event& ev = events[i];
      const EventEffect* e = cursor.at(i);
      if (!is_access(ev.kind)) {
        if (ev.kind == EventKind::kContextSwitch) switch_to(ev.pid);
        self.on_os_event(ev, e, cursor);
        continue;
      }
      if (ev.pid != pid_ || !space_) switch_to(ev.pid);
      if (e) self.on_guest_fault(ev, *e, cursor);
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
      : profile_(ctx.profile), machine_(ctx.machine), tlb_(ctx.profile.tlb), cache_(ctx.profile.cache) {}

  // Default hooks; derived classes hide the ones they need.
  void on_guest_fault(const Event&, const EventEffect&, EffectCursor&) {}
  void on_os_event(const Event&, const EventEffect*, EffectCursor&) {}
  void on_switch(const AddressSpace&) {}

  // Charges what the guest kernel itself does for a demand fault (the same on every scheme).
  void charge_guest_fault(const EventEffect& e) {
    ++stats.guest_faults;
    stats.guest_cycles += profile_.guest_page_fault_cycles;
    (void)e;
  }

  const AddressSpace& space() const { return *space_; }

  const Profile& profile_;
  Machine& machine_;
  TlbHierarchy tlb_;
  CacheHierarchy cache_;

 private:
  void switch_to(uint32_t pid) {
    if (space_ && pid == pid_) return;
    const AddressSpace* next = machine_.guest().find_space(pid);
    if (!next) next = &machine_.guest().space(pid);  // unreachable in practice: prepare() creates it
    bool first = space_ == nullptr;
    pid_ = pid;
    space_ = next;
    if (!first) static_cast<Derived&>(*this).on_switch(*next);
  }

  uint32_t pid_ = 0;
  const AddressSpace* space_ = nullptr;
};

}  // namespace hvsim
