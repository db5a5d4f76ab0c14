// When Translation Pass-Through checks owner tags (tpt.tag_check): exact checks, fetches and
// cycles per walk on small hand-made streams, for each mode, with and without page-walk caches.
// The bare profile has no data caches, so every tag fetch is one 200-cycle DRAM reference.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"
#include "workload/generators/scripted_source.h"

namespace hvsim {
namespace {

using test::load;
using test::run_events;
using test::stats_of;

constexpr uint64_t kBase = 0x7f00'0000'0000ull;  // 1 GiB aligned
constexpr uint64_t kPage = 4096;

double detail(const SchemeStats& s, const char* key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? -1.0 : it->second;
}

// Bare profile, no tag cache (every check a fetch), tag_check = `mode`, plus `extra` settings.
Profile tag_profile(const std::string& mode, const std::vector<std::string>& extra = {}) {
  Profile p = load_profile("bare");
  apply_setting(p, "tpt.tag_cache_entries=0");
  apply_setting(p, "tpt.tag_check=" + mode);
  for (const std::string& s : extra) apply_setting(p, s);
  return p;
}

// Page A three times (two TLB hits), page B in A's last-level table, page C in the next 2 MiB.
std::vector<Event> three_pages() {
  return {os_event(EventKind::kMmap, 1, kBase, 8ull << 20),
          load(kBase),
          load(kBase),
          load(kBase + 8),
          load(kBase + kPage),
          load(kBase + (4ull << 20))};
}

// Every check is a table page the walk reached, the frame a walk ended at, or a TLB hit's.
void expect_checks_add_up(const SchemeStats& s) {
  EXPECT_EQ(detail(s, "tag_checks"),
            detail(s, "tag_table_checks") + static_cast<double>(s.walks) + detail(s, "tag_hit_checks"));
  EXPECT_EQ(detail(s, "tag_faults"), 0.0);
}

}  // namespace

TEST(TptTagCheck, FillChecksFourTablesAndTheFrameOfEachWalkAndNothingOnTlbHits) {
  auto r = run_events(three_pages(), tag_profile("fill"), "tpt");
  EXPECT_EQ(r.verified_accesses, 5u);
  const SchemeStats& s = stats_of(r, "tpt");
  ASSERT_EQ(s.walks, 3u);  // A, B and C; A's repeats hit the TLB
  EXPECT_EQ(s.walk_mem_refs, 12u);
  // No page-walk caches: each walk starts at the root, reaches 4 table pages and ends at 1 frame.
  EXPECT_EQ(detail(s, "tag_checks"), 15.0);
  EXPECT_EQ(detail(s, "tag_table_checks"), 12.0);
  EXPECT_EQ(detail(s, "tag_hit_checks"), 0.0);
  EXPECT_EQ(detail(s, "tag_fetches"), 15.0);
  EXPECT_EQ(detail(s, "tag_dram_fetches"), 15.0);
  EXPECT_EQ(detail(s, "tag_cycles"), 15 * 200.0);
  EXPECT_EQ(s.walk_cycles, (12 + 15) * 200u);  // the tag fetches are serialized into the walk
  EXPECT_EQ(s.tlb_hit_cycles, 0u);             // the result lives in the TLB entry
  expect_checks_add_up(s);
}

TEST(TptTagCheck, AccessChecksTheDataFrameAgainOnEveryTlbHit) {
  auto r = run_events(three_pages(), tag_profile("access"), "tpt");
  EXPECT_EQ(r.verified_accesses, 5u);
  const SchemeStats& s = stats_of(r, "tpt");
  ASSERT_EQ(s.walks, 3u);
  EXPECT_EQ(detail(s, "tag_hit_checks"), 2.0);
  EXPECT_EQ(detail(s, "tag_checks"), 17.0);
  EXPECT_EQ(detail(s, "tag_fetches"), 17.0);
  EXPECT_EQ(s.walk_cycles, (12 + 15) * 200u);  // the walks check as in fill and walk
  EXPECT_EQ(s.tlb_hit_cycles, 2 * 200u);       // two first-level TLB hits, one fetch each
  expect_checks_add_up(s);
}

TEST(TptTagCheck, PageWalkCacheEntriesKeepTheirTablesCheckOnlyUnderFill) {
  const std::vector<std::string> pwc = {"pwc.pde_entries=32", "pwc.pdpte_entries=4", "pwc.pml4e_entries=2",
                                        "pwc.ways=4"};
  auto fill = run_events(three_pages(), tag_profile("fill", pwc), "tpt");
  auto walk = run_events(three_pages(), tag_profile("walk", pwc), "tpt");
  const SchemeStats& f = stats_of(fill, "tpt");
  const SchemeStats& w = stats_of(walk, "tpt");
  ASSERT_EQ(f.walks, 3u);
  // A from the root (4 entries), B from the cached PDE (1), C from the cached PDPTE (2).
  EXPECT_EQ(f.walk_mem_refs, 7u);
  EXPECT_EQ(w.walk_mem_refs, 7u);
  // fill: A checks 4 tables; B none (its table came from the PDE cache); C its last-level table,
  // reached through the PDE it fetched, not the directory the PDPTE cache gave.
  EXPECT_EQ(detail(f, "tag_table_checks"), 4 + 0 + 1.0);
  EXPECT_EQ(detail(f, "tag_checks"), 5 + 3.0);
  // walk: every table page whose entry was read.
  EXPECT_EQ(detail(w, "tag_table_checks"), 4 + 1 + 2.0);
  EXPECT_EQ(detail(w, "tag_checks"), 7 + 3.0);
  EXPECT_EQ(f.walk_cycles + 2 * 200, w.walk_cycles);  // two fetches fewer, nothing else changes
  EXPECT_EQ(fill.verified_accesses, 5u);
  EXPECT_EQ(walk.verified_accesses, 5u);
  expect_checks_add_up(f);
  expect_checks_add_up(w);
}

TEST(TptTagCheck, ASecondLevelTlbHitChecksNothingUnderFill) {
  // 100 pages: page 0 leaves its 4-way first-level TLB set (7 pages map to it) but stays in the
  // 1536-entry second-level TLB.
  std::vector<Event> ev = {os_event(EventKind::kMmap, 1, kBase, 1ull << 20)};
  for (uint64_t i = 0; i < 100; ++i) ev.push_back(load(kBase + i * kPage));
  ev.push_back(load(kBase));
  for (const char* mode : {"fill", "access"}) {
    auto r = run_events(ev, tag_profile(mode), "tpt");
    const SchemeStats& s = stats_of(r, "tpt");
    EXPECT_EQ(r.verified_accesses, 101u) << mode;
    ASSERT_EQ(s.walks, 100u) << mode;
    EXPECT_EQ(s.tlb_l1_misses - s.tlb_l2_misses, 1u) << mode;
    const double hit_checks = std::string(mode) == "access" ? 1 : 0;
    EXPECT_EQ(detail(s, "tag_hit_checks"), hit_checks) << mode;
    EXPECT_EQ(detail(s, "tag_checks"), 5 * 100 + hit_checks) << mode;
    EXPECT_EQ(s.tlb_hit_cycles, 9 + hit_checks * 200) << mode;  // tlb.l2_hit_cycles = 9
  }
}

TEST(TptTagCheck, ATagCacheServesRepeatedTablePagesInEveryMode) {
  // Default tag cache (64 entries): the four table pages are fetched once, by A's walk.
  for (const char* mode : {"fill", "walk", "access"}) {
    Profile p = tag_profile(mode, {"tpt.tag_cache_entries=64"});
    auto r = run_events(three_pages(), p, "tpt");
    const SchemeStats& s = stats_of(r, "tpt");
    ASSERT_EQ(s.walks, 3u) << mode;
    // Tables: A's root, PDPT, PD and first table; C's second table. Frames: A, B and C.
    EXPECT_EQ(detail(s, "tag_fetches"), 5 + 3.0) << mode;
    EXPECT_EQ(detail(s, "tag_cache_hits"), detail(s, "tag_checks") - 8) << mode;
    EXPECT_EQ(detail(s, "tag_cycles"), 8 * 200 + detail(s, "tag_cache_hits")) << mode;  // 1-cycle hits
    expect_checks_add_up(s);
  }
}

TEST(TptTagCheck, EveryModeAgreesWithTheReferenceOnARandomWorkload) {
  for (const char* mode : {"fill", "walk", "access"}) {
    Profile p = load_profile("default");
    apply_setting(p, std::string("tpt.tag_check=") + mode);
    auto r = test::run_workload("gups", p, "native,tpt", 64ull << 20, 20'000);
    EXPECT_EQ(r.verified_accesses, 20'000u) << mode;
    const SchemeStats& s = stats_of(r, "tpt");
    expect_checks_add_up(s);
    // The walks themselves are native's.
    EXPECT_EQ(s.walk_mem_refs, stats_of(r, "native").walk_mem_refs) << mode;
  }
}

}  // namespace hvsim
