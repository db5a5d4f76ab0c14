// The structure schemes are built on: the hooks concept (a scheme with a misspelt, missing,
// inherited or mistyped hook does not compile), the one Translation a walk returns, the typed
// effects the machine emits, and the shadow-paging rules shared by the schemes that compose them.
#include <gtest/gtest.h>

#include "machine/machine.h"
#include "paging/translation.h"
#include "schemes/tlb_scheme.h"
#include "test_support.h"
#include "workload/generators/scripted_source.h"

namespace hvsim {
namespace {

// Every hook, spelt and typed as TlbSchemeHooks asks.
struct Complete {
  Translation<HostPhysAddr> walk(const Event&) { return Translation<HostPhysAddr>::fault({}); }
  void on_guest_fault(const Event&, const Effect&) {}
  void on_os_event(const Effect&) {}
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t) {}
};
static_assert(TlbSchemeHooks<Complete, HostPhysAddr>);

struct Misspelt {
  Translation<HostPhysAddr> walk(const Event&) { return Translation<HostPhysAddr>::fault({}); }
  void on_guest_falt(const Event&, const Effect&) {}  // never called: the scheme must not compile
  void on_os_event(const Effect&) {}
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t) {}
};
static_assert(!TlbSchemeHooks<Misspelt, HostPhysAddr>);

struct Missing {
  Translation<HostPhysAddr> walk(const Event&) { return Translation<HostPhysAddr>::fault({}); }
  void on_guest_fault(const Event&, const Effect&) {}
  void on_os_event(const Effect&) {}
  void flush_walk_caches(uint16_t) {}
};
static_assert(!TlbSchemeHooks<Missing, HostPhysAddr>);

// An old-style hook: the effect by pointer, and the cursor.
struct WrongSignature : Complete {
  void on_os_event(const Event&, const EventEffect*, EffectCursor&) {}
};
static_assert(!TlbSchemeHooks<WrongSignature, HostPhysAddr>);

// Hooks found in a base class are not the scheme's own: a misspelt override would silently
// fall back to them.
struct Inherited : Complete {};
static_assert(!TlbSchemeHooks<Inherited, HostPhysAddr>);

// A walk answering in guest-physical pages needs host_address for --verify.
struct GuestPhysical {
  Translation<GuestPhysAddr> walk(const Event&) { return Translation<GuestPhysAddr>::fault({}); }
  void on_guest_fault(const Event&, const Effect&) {}
  void on_os_event(const Effect&) {}
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t) {}
};
static_assert(!TlbSchemeHooks<GuestPhysical, GuestPhysAddr>);
struct GuestPhysicalVerified : GuestPhysical {
  Translation<GuestPhysAddr> walk(const Event&) { return Translation<GuestPhysAddr>::fault({}); }
  void on_guest_fault(const Event&, const Effect&) {}
  void on_os_event(const Effect&) {}
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t) {}
  HostPhysAddr host_address(GuestPhysAddr) const { return HostPhysAddr(0); }
};
static_assert(TlbSchemeHooks<GuestPhysicalVerified, GuestPhysAddr>);
static_assert(!TlbSchemeHooks<Complete, GuestPhysAddr>);  // a HostPhysAddr walk is not one

constexpr uint64_t kBase = 0x7f00'0000'0000ull;

TEST(Translation, KeepsThePageItsSizeAndTheCostInSixteenBytes) {
  static_assert(sizeof(Translation<HostPhysAddr>) == 16);
  auto t = Translation<HostPhysAddr>::to(HostPhysAddr(0x4020'1234), PageSize::k2M, WalkCost{3, 90});
  EXPECT_TRUE(t.ok());
  EXPECT_EQ(t.page().value, 0x4020'0000u);
  EXPECT_EQ(t.size(), PageSize::k2M);
  EXPECT_EQ(t.at(0x7f00'0005'6789).value, 0x4025'6789u);
  EXPECT_EQ(t.cost.refs, 3u);
  EXPECT_EQ(t.cost.cycles, 90u);
  auto f = Translation<HostPhysAddr>::fault(WalkCost{2, 40});
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.cost.refs, 2u);
  auto g = Translation<GuestPhysAddr>::to(GuestPhysAddr(0x1'4000'0000), PageSize::k1G, {});
  EXPECT_EQ(g.page().value, 0x1'4000'0000u);
  EXPECT_EQ(g.size(), PageSize::k1G);
}

// The effect of each event as Machine::record builds it.
std::vector<EventEffect> effects_of(Machine& m, const std::vector<Event>& events) {
  BatchEffects fx;
  std::vector<EventEffect> all;
  std::span<const Event> rest(events);
  while (!rest.empty()) {
    size_t n = m.prepare(rest, fx);
    all.insert(all.end(), fx.effects.begin(), fx.effects.end());
    rest = rest.subspan(n);
  }
  return all;
}

TEST(MachineEffects, AreTypedByWhatTheEventDid) {
  Profile p = load_profile("bare");
  apply_setting(p, "guest.page_size=4K");
  Machine m(p, MachineSizing::for_footprint(p, 1ull << 30));
  const std::vector<Event> events = {
      test::store(kBase),                                     // 0: a page mapped
      os_event(EventKind::kProcessCreate, 1, 0, 2),           // 1: copied into pid 2
      test::store(kBase, 2),                                  // 2: copy-on-write
      os_event(EventKind::kMprotect, 1, kBase, 4096, 0),      // 3: reprotected
      os_event(EventKind::kMadviseDontneed, 1, kBase, 4096),  // 4: unmapped, tables kept
      os_event(EventKind::kDmaMap, 1, kBase, 4096),           // 5: device mapping
      os_event(EventKind::kContextSwitch, 2),                 // no effect: no table changes
      os_event(EventKind::kExec, 2),                          // 6: replaced
      os_event(EventKind::kProcessExit, 1),                   // 7: exited
  };
  const std::vector<EventEffect> e = effects_of(m, events);
  ASSERT_EQ(e.size(), 8u);
  EXPECT_EQ(e[0].fault.kind, FaultKind::kDemand);
  EXPECT_GT(e[0].tables_allocated.count, 0u);  // the root and the path
  EXPECT_EQ(e[1].space.change, SpaceChange::kForked);
  EXPECT_EQ(e[1].space.child, 2u);
  EXPECT_TRUE(e[1].cr3_write());  // write-protecting the parent flushes its TLB by a CR3 reload
  EXPECT_EQ(e[2].fault.kind, FaultKind::kCopyOnWrite);
  EXPECT_TRUE(e[2].fault.copied);
  EXPECT_EQ(e[2].invalidations.count, 1u);
  EXPECT_EQ(e[3].reprotected.start, kBase);
  EXPECT_EQ(e[3].reprotected.end, kBase + 4096);
  EXPECT_TRUE(e[4].tables_kept);
  EXPECT_FALSE(e[4].unmapped.empty());
  EXPECT_TRUE(e[5].device_mapping);
  EXPECT_EQ(e[6].space.change, SpaceChange::kReplaced);
  EXPECT_NE(e[6].space.old_pcid, 0);
  EXPECT_EQ(e[7].space.change, SpaceChange::kExited);
  EXPECT_TRUE(e[7].space.gone());
  EXPECT_NE(e[7].flush_pcid, 0);
  EXPECT_FALSE(e[7].cr3_write());  // a torn-down address space needs no reload
}

// The CR3-write rule lives once, in the shadow-paging part: every switch between two processes
// exits under shadow, under switching in shadow mode and under agile while the roots are
// protected, and never under nested.
TEST(ShadowPagingPart, EveryContextSwitchIsOneCr3Exit) {
  std::vector<Event> events = {os_event(EventKind::kMmap, 1, kBase, 1 << 20),
                               os_event(EventKind::kMmap, 2, kBase, 1 << 20)};
  for (int i = 0; i < 10; ++i) {
    events.push_back(os_event(EventKind::kContextSwitch, 1 + i % 2));
    events.push_back(test::load(kBase + 4096 * i, 1 + i % 2));
  }
  Profile p = load_profile("bare");
  apply_setting(p, "switching.initial=shadow");
  for (const char* scheme : {"shadow", "switching", "agile", "nested"}) {
    test::SchemeDriver d(p, scheme);
    d.run(events);
    EXPECT_EQ(d.mismatches(), 0u) << scheme;
    const uint64_t cr3 = d.stats().exits_by_reason[static_cast<size_t>(ExitReason::kCr3Write)];
    EXPECT_EQ(cr3, std::string(scheme) == "nested" ? 0u : 9u) << scheme;
  }
}

}  // namespace
}  // namespace hvsim
