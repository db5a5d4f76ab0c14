// switching: the VM runs in shadow or nested mode and, window by window, moves to the mode that
// would have cost less for the events it just saw. A synthetic stream turns from TLB-miss-heavy
// to page-table-update-heavy and back; the mode must follow it.
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/random.h"
#include "test_support.h"

namespace hvsim {
namespace {

// Switching reports -1 for a figure it does not have, so a missing one fails the checks below.
struct Driver : test::SchemeDriver {
  using SchemeDriver::SchemeDriver;
  double detail(const std::string& key) { return SchemeDriver::detail(key, -1.0); }
};

constexpr uint64_t kBase = uint64_t{1} << 40;
constexpr uint64_t kPage = 4096;

Event load(uint64_t va) { return Event::access(EventKind::kLoad, va, 8); }

// Each of `pages` new pages from `first` touched `per_page` times: one fault and one TLB miss
// per page, the guest writing a page-table entry each time.
std::vector<Event> first_touches(uint64_t first, uint64_t pages, int per_page) {
  std::vector<Event> ev;
  for (uint64_t p = 0; p < pages; ++p)
    for (int i = 0; i < per_page; ++i) ev.push_back(load(kBase + (first + p) * kPage + 64 * i));
  return ev;
}

// Random loads over pages [0, pages): almost every one a TLB miss, no fault.
std::vector<Event> random_loads(uint64_t pages, uint64_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<Event> ev;
  for (uint64_t i = 0; i < n; ++i) ev.push_back(load(kBase + rng.below(pages) * kPage + 8 * rng.below(512)));
  return ev;
}

TEST(SwitchingScheme, FollowsTheWorkloadBetweenShadowAndNested) {
  Profile p = load_profile("default");
  apply_setting(p, "switching.window=20000");
  Driver d(p, "switching");
  constexpr uint64_t kFirst = 16384;  // 64 MiB
  d.run(first_touches(0, kFirst, 1));
  EXPECT_EQ(d.detail("mode_is_nested"), 1.0) << "starts nested and stays so while mapping";

  // TLB-miss-heavy, no page-table updates: shadow walks are cheaper and nothing exits.
  d.run(random_loads(kFirst, 200'000, 1));
  EXPECT_EQ(d.detail("mode_is_nested"), 0.0);
  EXPECT_EQ(d.detail("switches_to_shadow"), 1.0);
  EXPECT_EQ(d.detail("switches_to_nested"), 0.0);
  EXPECT_GT(d.detail("shadow_pages_built"), kFirst / 512.0);

  // Page-table-update-heavy: every fourth access maps a new page; under shadow paging each
  // one exits (and its trapped write too).
  constexpr uint64_t kSecond = 65536;  // 256 MiB more
  d.run(first_touches(kFirst, kSecond, 4));
  EXPECT_EQ(d.detail("mode_is_nested"), 1.0);
  EXPECT_EQ(d.detail("switches_to_nested"), 1.0);
  EXPECT_GT(d.detail("shadow_pages_dropped"), 0.0);

  // TLB-miss-heavy again: back to shadow.
  d.run(random_loads(kFirst + kSecond, 300'000, 2));
  EXPECT_EQ(d.detail("mode_is_nested"), 0.0);
  EXPECT_EQ(d.detail("switches_to_shadow"), 2.0);
  EXPECT_EQ(d.detail("switches"), 3.0);

  EXPECT_EQ(d.mismatches(), 0u);
  EXPECT_EQ(d.detail("events_in_shadow") + d.detail("events_in_nested"), static_cast<double>(d.accesses()));
  EXPECT_EQ(d.scheme->stats.exits_by_reason[static_cast<size_t>(ExitReason::kOther)], 3u)
      << "one exit per switch";
}

TEST(SwitchingScheme, BeatsTheWorseFixedModeInEachPhase) {
  // Per phase, the switching VM's translation cycles must come close to the better of the two
  // fixed modes (it pays a window and the switch on each change).
  Profile p = load_profile("default");
  apply_setting(p, "switching.window=20000");
  std::vector<Event> mapping = first_touches(0, 65536, 4), misses = random_loads(65536, 300'000, 3);
  auto translation = [&](const char* scheme, const std::vector<Event>& a, const std::vector<Event>& b) {
    Driver d(p, scheme);
    d.run(a);
    uint64_t after_a = d.stats().translation_cycles();
    d.run(b);
    return std::pair<uint64_t, uint64_t>{after_a, d.stats().translation_cycles() - after_a};
  };
  auto sw = translation("switching", mapping, misses);
  auto sh = translation("shadow", mapping, misses);
  auto ne = translation("nested", mapping, misses);
  // Mapping phase: nested is far cheaper than shadow; switching stays with nested.
  EXPECT_LT(ne.first * 2, sh.first);
  EXPECT_LT(sw.first, sh.first / 2);
  // Miss phase: shadow is cheaper; switching moves there and ends below nested.
  EXPECT_LT(sh.second, ne.second);
  EXPECT_LT(sw.second, ne.second);
}

TEST(SwitchingScheme, StartsInShadowWhenAskedAndRejectsBadKeys) {
  Profile p = load_profile("bare");
  apply_setting(p, "switching.initial=shadow");
  Driver d(p, "switching");
  d.run(random_loads(64, 1000, 1));
  EXPECT_EQ(d.detail("mode_is_nested"), 0.0);
  EXPECT_EQ(d.detail("switches"), 0.0);
  for (const char* bad :
       {"switching.initial=tdp", "switching.window=0", "switching.margin=2", "switching.windows=5"}) {
    Profile q = load_profile("bare");
    EXPECT_THROW(apply_setting(q, bad), InputError) << bad;
  }
}

// Fork with copy-on-write, exit, munmap and context switches in the stream: the answers stay the
// reference's in shadow mode, and across switches (made cheap and free of margin so they happen).
TEST(SwitchingScheme, OsEventsKeepEveryAnswerRightInBothModes) {
  const std::vector<std::vector<const char*>> configs = {
      {"switching.initial=shadow"},
      {"switching.window=2000", "switching.margin=0", "switching.page_cycles=0", "costs.vm_exit_cycles=0",
       "costs.interrupt_injection_cycles=0", "costs.shadow_pte_write_cycles=0", "costs.shadow_fill_cycles=0",
       "costs.cr3_write_cycles=0", "costs.invlpg_cycles=0"}};
  for (size_t c = 0; c < configs.size(); ++c) {
    for (const char* workload : {"fork-exit", "pagefault", "mmap-churn", "ctxsw"}) {
      Profile p = load_profile("default");
      for (const char* setting : configs[c]) apply_setting(p, setting);
      RunReport r;
      ASSERT_NO_THROW(r = test::run_workload(workload, p, "switching", 32ull << 20, 60'000, true, 3))
          << workload << " config " << c;
      EXPECT_EQ(r.verified_accesses, 60'000u);
      const SchemeStats& s = test::stats_of(r, "switching");
      if (c == 0) {
        EXPECT_EQ(s.details.at("events_in_shadow"), 60'000.0) << workload;
      } else {
        EXPECT_GE(s.details.at("switches"), 1.0) << workload;
      }
    }
  }
}

}  // namespace
}  // namespace hvsim
