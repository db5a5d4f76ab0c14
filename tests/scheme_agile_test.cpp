// agile: walks start in the shadow table and switch to nested at the highest guest table page in
// nested mode; written pages move to nested, quiet ones move back. With the bare profile every
// walk fetches exactly (g - s) + s(h + 1) + h entries for a switch at level s (g for none).
#include <gtest/gtest.h>

#include "common/error.h"
#include "test_support.h"

namespace hvsim {
namespace {

using test::run_workload;
using test::stats_of;
using Driver = test::SchemeDriver;

constexpr uint64_t kBase = uint64_t{1} << 40;  // 1 TiB: its own PML4 entry
constexpr uint64_t kPage = 4096, kChunk = uint64_t{2} << 20;

Event load(uint64_t va) { return Event::access(EventKind::kLoad, va, 8); }

// Loads of page `p` of 2 MiB chunk `c`.
uint64_t page_va(uint64_t chunk, uint64_t page) { return kBase + chunk * kChunk + page * kPage; }

// Touches the first half of chunks 0..7 (so each leaf table is half full), then cycles over
// those pages, enough of them to miss the TLB on every access.
std::vector<Event> warm_half_chunks(int rounds) {
  std::vector<Event> ev;
  for (int r = 0; r < rounds; ++r)
    for (uint64_t p = 0; p < 256; ++p)
      for (uint64_t c = 0; c < 8; ++c) ev.push_back(load(page_va(c, p)));
  return ev;
}

uint64_t refs_at(int s, int g, int h) { return s == 0 ? g : (g - s) + s * (h + 1) + h; }

TEST(AgileScheme, UnchangingGuestTableWalksLikeShadowWithFourReferences) {
  Profile p = load_profile("bare");
  apply_setting(p, "agile.quiet_period=20000");
  Driver d(p, "agile");
  d.run(warm_half_chunks(20));  // 40960 accesses: touched once, then quiet for > a period
  d.begin_measurement();
  d.run(warm_half_chunks(10));
  EXPECT_EQ(d.mismatches(), 0u);
  const SchemeStats& s = d.stats();
  ASSERT_GT(s.walks, 10'000u);
  EXPECT_EQ(s.walk_mem_refs, 4 * s.walks);
  EXPECT_EQ(s.vm_exits, 0u);
  EXPECT_EQ(d.detail("nested_pages"), 0.0);
}

TEST(AgileScheme, WrittenLeafTableMovesToNestedAndBackAfterQuietPeriod) {
  Profile p = load_profile("bare");
  apply_setting(p, "agile.quiet_period=20000");
  Driver d(p, "agile");
  d.run(warm_half_chunks(20));
  d.begin_measurement();

  // New pages in the second half of chunk 0: the guest writes its (protected) leaf table.
  std::vector<Event> ev;
  for (uint64_t p2 = 256; p2 < 512; ++p2) ev.push_back(load(page_va(0, p2)));
  for (const Event& e : warm_half_chunks(1)) ev.push_back(e);
  d.run(ev);
  EXPECT_EQ(d.mismatches(), 0u);
  // One trapped write moved the page; the other 255 writes went to a nested page, no exit.
  EXPECT_EQ(d.stats().exits_by_reason[static_cast<size_t>(ExitReason::kPteWrite)], 1u);
  EXPECT_EQ(d.detail("moves_to_nested"), 1.0);
  EXPECT_EQ(d.detail("nested_pages"), 1.0);
  // Chunk 0's walks switch at the leaf level (3 shadow + 1 guest + 4 + 4 host = 12), the other
  // chunks' stay in shadow (4).
  double at1 = d.detail("walks_switching_at_level_1"), at0 = d.detail("walks_switching_at_level_0");
  EXPECT_GT(at1, 256.0);
  EXPECT_GT(at0, 1500.0);
  EXPECT_EQ(d.stats().walk_mem_refs, static_cast<uint64_t>(12 * at1 + 4 * at0));

  // Quiet again for more than a period (the check runs on the hypervisor's next walk or fault):
  // the page returns to shadow and walks to 4 references.
  d.run(warm_half_chunks(12));
  EXPECT_EQ(d.detail("moves_to_shadow"), 1.0);
  EXPECT_EQ(d.detail("nested_pages"), 0.0);
  d.begin_measurement();
  // The move back synced the shadow entries of pages mapped while the page was nested: no
  // hidden fault for them either.
  std::vector<Event> after = warm_half_chunks(2);
  for (uint64_t p2 = 256; p2 < 512; ++p2) after.push_back(load(page_va(0, p2)));
  d.run(after);
  EXPECT_GT(d.stats().walks, 4000u);
  EXPECT_EQ(d.stats().walk_mem_refs, 4 * d.stats().walks);
  EXPECT_EQ(d.stats().vm_exits, 0u);
  EXPECT_EQ(d.mismatches(), 0u);
}

TEST(AgileScheme, WrittenDirectoryMovesItsWholeSubtreeToNested) {
  Profile p = load_profile("bare");
  apply_setting(p, "agile.quiet_period=20000");
  Driver d(p, "agile");
  d.run(warm_half_chunks(20));
  d.begin_measurement();
  // A first touch in chunk 8 writes a new entry into the page directory shared with chunks 0..7.
  std::vector<Event> ev{load(page_va(8, 0))};
  for (const Event& e : warm_half_chunks(1)) ev.push_back(e);
  d.run(ev);
  EXPECT_EQ(d.mismatches(), 0u);
  EXPECT_EQ(d.detail("moves_to_nested"), 1.0);
  // Every walk under that directory now switches at level 2, though chunks 0..7's own leaf
  // tables were never written: 2 shadow + 2 x (1 + 4) + 4 = 16.
  double at2 = d.detail("walks_switching_at_level_2");
  EXPECT_GE(at2, 2048.0);
  EXPECT_EQ(d.detail("walks_switching_at_level_0"), 0.0);
  EXPECT_EQ(d.stats().walk_mem_refs, static_cast<uint64_t>(16 * at2));
}

TEST(AgileScheme, FirstTouchHeavyGupsLandsBetweenShadowAndNested) {
  Profile p = load_profile("bare");
  auto r = run_workload("gups", p, "agile", 1ull << 30, 200'000);  // verified against the reference
  const SchemeStats& s = stats_of(r, "agile");
  ASSERT_GT(s.walks, 50'000u);
  double per_walk = static_cast<double>(s.walk_mem_refs) / static_cast<double>(s.walks);
  EXPECT_GT(per_walk, 4.0);
  EXPECT_LT(per_walk, 24.0);
  // Exactly the per-level figures, weighted by where the walks switched.
  uint64_t expected = 0, walks = 0;
  for (int lv = 0; lv <= 4; ++lv) {
    auto it = s.details.find("walks_switching_at_level_" + std::to_string(lv));
    uint64_t n = it == s.details.end() ? 0 : static_cast<uint64_t>(it->second);
    expected += n * refs_at(lv, 4, 4);
    walks += n;
  }
  EXPECT_EQ(walks, s.walks);
  EXPECT_EQ(s.walk_mem_refs, expected);
  // Agile traps far fewer page-table writes than shadow paging does.
  auto both = run_workload("gups", p, "shadow,agile", 1ull << 30, 200'000, false);
  auto pte = [](const SchemeStats& x) {
    return x.exits_by_reason[static_cast<size_t>(ExitReason::kPteWrite)];
  };
  EXPECT_LT(pte(stats_of(both, "agile")) * 10, pte(stats_of(both, "shadow")));
}

// Rejected by the one parser, before any scheme is built.
TEST(AgileScheme, RejectsUnknownKeys) {
  Profile p = load_profile("bare");
  EXPECT_THROW(apply_setting(p, "agile.quiet=5"), InputError);
  EXPECT_THROW(apply_setting(p, "agile.quiet_period=0"), InputError);
}

// Fork with copy-on-write, exit, munmap and context switches in the stream, with pages moving
// between modes often: the answers stay the reference's.
TEST(AgileScheme, OsEventsKeepEveryAnswerRight) {
  for (const char* workload : {"fork-exit", "pagefault", "mmap-churn", "ctxsw"}) {
    Profile p = load_profile("default");
    apply_setting(p, "agile.quiet_period=2000");
    RunReport r;
    ASSERT_NO_THROW(r = run_workload(workload, p, "agile", 32ull << 20, 60'000, true, 3)) << workload;
    EXPECT_EQ(r.verified_accesses, 60'000u);
    EXPECT_GT(stats_of(r, "agile").details.at("moves_to_shadow"), 0.0) << workload;
  }
}

}  // namespace
}  // namespace hvsim
