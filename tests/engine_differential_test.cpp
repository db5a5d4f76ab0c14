// The differential engine check on seeded plausible streams: every scheme with --verify on every
// layout, and the guest's tables against a model of what must be mapped.
#include <gtest/gtest.h>

#include "engine_differential.h"

namespace hvsim {
namespace {

using differential::Case;

TEST(EngineDifferential, SeededStreamsAgreeOnEveryLayout) {
  uint64_t events = 0, accesses = 0;
  for (uint64_t seed = 1; seed <= 48; ++seed) {
    RngChoices choices(seed);
    auto stream = differential::generate(choices, 1500 + seed * 37 % 1000);
    Case c;
    c.layout = seed % differential::layouts().size();
    const size_t batches[] = {2, 3, 17, 256, 4096};
    c.batch_events = batches[seed % 5];
    c.threads = 1 + seed % 2;
    c.warmup = seed % 3 == 0 ? 100 : 0;
    SCOPED_TRACE(fmt::format("seed {} layout {} batch {}", seed, c.layout, c.batch_events));
    RunReport r;
    ASSERT_NO_THROW(r = differential::check(stream, c)) << [&] {
      try {
        differential::check(stream, c);
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
      return std::string();
    }();
    EXPECT_EQ(r.verified_accesses, r.accesses);
    events += stream.size();
    accesses += r.accesses;
  }
  std::printf("differential: %lu events, %lu verified accesses\n", static_cast<unsigned long>(events),
              static_cast<unsigned long>(accesses));
}

// The stream the tester reported: a 2 MiB-aligned mapping freed and mapped again.
TEST(EngineDifferential, RemappedTwoMegabyteRangeIsFaultedAgain) {
  const uint64_t base = 0x7f1234400000;
  auto ev = [](EventKind k, uint64_t a, uint64_t arg) {
    Event e;
    e.kind = k, e.addr = a, e.arg = arg, e.pid = 1;
    return e;
  };
  std::vector<Event> s = {
      ev(EventKind::kMmap, base, 2 << 20),   Event::access(EventKind::kStore, base + 0x10, 8, 1),
      ev(EventKind::kMunmap, base, 2 << 20), Event::access(EventKind::kStore, 0x601000, 8, 1),
      ev(EventKind::kMmap, base, 2 << 20),   Event::access(EventKind::kLoad, base + 0x10, 8, 1)};
  for (size_t layout = 0; layout < differential::layouts().size(); ++layout) {
    Case c;
    c.layout = layout;
    RunReport r = differential::check(s, c);
    for (const auto& sc : r.schemes) EXPECT_EQ(sc.stats.guest_faults, 3u) << sc.name << " layout " << layout;
  }
}

}  // namespace
}  // namespace hvsim
