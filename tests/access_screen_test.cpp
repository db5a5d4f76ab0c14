// The machine's screen of the next batch (machine/access_screen.h): it clears exactly the accesses
// that need no fault handling, and preparing with it does what preparing without it does, also
// when the batch starts with an event that changes what the screen read.
#include <gtest/gtest.h>

#include "machine/machine.h"
#include "test_support.h"
#include "workload/generators/scripted_source.h"

namespace hvsim {
namespace {

using test::load;
using test::store;

constexpr uint64_t kBase = 0x7f00'0000'0000ull;

Profile four_k_profile() {
  Profile p = load_profile("bare");
  apply_setting(p, "guest.direct_segment=false");
  apply_setting(p, "guest.page_size=4K");
  return p;
}

void apply(Machine& m, const std::vector<Event>& events) {
  BatchEffects fx;
  std::span<const Event> rest(events);
  while (!rest.empty()) rest = rest.subspan(m.prepare(rest, fx));
}

std::vector<bool> cleared(const AccessScreen& s) {
  std::vector<bool> out;
  for (uint64_t i = 0; i < s.length(); ++i) out.push_back(s.cleared(s.first() + i));
  return out;
}

}  // namespace

TEST(AccessScreen, ClearsExactlyTheAccessesThatNeedNoFaultHandling) {
  const Profile p = four_k_profile();
  Machine m(p, MachineSizing::for_footprint(p, 1ull << 30));
  apply(m, {os_event(EventKind::kMmap, 1, kBase, 1 << 20), store(kBase), load(kBase + 4096),
            os_event(EventKind::kProcessCreate, 1, 0, 2)});
  const std::vector<Event> next = {
      load(kBase + 8),        // mapped
      store(kBase + 8),       // copy-on-write since the fork
      load(kBase + 4096, 2),  // the child shares it
      load(kBase + 8192),     // never touched
      load(kBase, 7),         // no such process
      os_event(EventKind::kMunmap, 1, kBase, 4096),
      load(kBase + 16),  // mapped now; the munmap is the next prepare's business
  };
  AccessScreen screen;
  m.screen(next, 1000, screen);
  EXPECT_EQ(screen.first(), 1000u);
  EXPECT_EQ(cleared(screen), (std::vector<bool>{true, false, true, false, false, false, true}));
  EXPECT_FALSE(screen.cleared(999));
  EXPECT_FALSE(screen.cleared(1000 + next.size()));
}

// Each batch is prepared by two machines fed the same events, one screening ahead as the engine
// does; their effects and final tables must be the same. The second batch starts with a munmap of
// a page the screen saw mapped: the access after it must still fault.
TEST(AccessScreen, PreparingWithTheScreenDoesWhatPreparingWithoutItDoes) {
  const Profile p = four_k_profile();
  Machine plain(p, MachineSizing::for_footprint(p, 1ull << 30));
  Machine screened(p, MachineSizing::for_footprint(p, 1ull << 30));
  const std::vector<Event> events = {os_event(EventKind::kMmap, 1, kBase, 1 << 20),
                                     store(kBase),
                                     load(kBase + 4096),
                                     os_event(EventKind::kMunmap, 1, kBase, 4096),
                                     load(kBase),
                                     load(kBase + 4096),
                                     store(kBase + 8192),
                                     load(kBase + 8192)};
  AccessScreen screen;
  std::span<const Event> rest(events);
  uint64_t position = 0;
  while (!rest.empty()) {
    BatchEffects a, b;
    const size_t n = plain.prepare(rest, a);
    ASSERT_EQ(screened.prepare(rest, b, UINT64_MAX, &screen, position), n);
    ASSERT_EQ(a.effects.size(), b.effects.size()) << "batch at event " << position;
    for (size_t i = 0; i < a.effects.size(); ++i) {
      EXPECT_EQ(a.effects[i].event_index, b.effects[i].event_index);
      EXPECT_EQ(a.effects[i].fault.kind, b.effects[i].fault.kind);
    }
    rest = rest.subspan(n);
    position += n;
    screened.screen(rest, position, screen);
  }
  EXPECT_EQ(screen.length(), 0u);
  for (uint64_t va : {kBase, kBase + 4096, kBase + 8192})
    EXPECT_EQ(screened.reference_translate(1, GuestVirtAddr(va)),
              plain.reference_translate(1, GuestVirtAddr(va)));
  EXPECT_EQ(screened.guest().frames_in_use(), plain.guest().frames_in_use());
}

}  // namespace hvsim

namespace hvsim {

// fork-exit's forks, copy-on-writes and exits cut batches to a few events; the screen after each
// must shrink with them, or screening costs a full batch per short batch. Its bound: at most
// twice the events stepped, per machine.
TEST(AccessScreen, ScreeningStaysWithinTwiceTheStreamWhenBatchesAreShort) {
  const Profile p = load_profile("default");
  WorkloadParams params;
  params.footprint = 8ull << 20;
  params.accesses = 20000;
  auto source = WorkloadRegistry::instance().find("fork-exit")->factory(params);
  Simulation sim(p, MachineSizing::for_footprint(p, params.footprint), {"native", "vm-segment"}, {});
  const uint64_t events = sim.run(*source);
  ASSERT_EQ(sim.machines().size(), 2u);
  EXPECT_GT(sim.screened_events(), events / 2) << "the accesses between OS events are screened";
  EXPECT_LE(sim.screened_events(), 2 * 2 * events);
}

}  // namespace hvsim
