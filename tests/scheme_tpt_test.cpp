// Translation Pass-Through: one-dimensional walks of guest-owned gVA -> hPA tables, with a
// host memory tag checked on the page-table pages a walk reaches and at every TLB fill (without
// page-walk caches, as here, every page read; tpt_tag_check_test has the modes).
#include <gtest/gtest.h>

#include "hv/memory_tags.h"
#include "test_support.h"

namespace hvsim {
namespace {

using test::run_workload;
using test::stats_of;

double detail(const SchemeStats& s, const char* key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? -1.0 : it->second;
}

}  // namespace

TEST(MemoryTags, CacheHitsMissesAndForeignTags) {
  CacheHierarchyConfig cc;
  cc.dram_cycles = 200;
  CacheHierarchy cache(cc);
  MemoryTags tags(0x4000'0000, MemoryTagConfig{4, 4, 1, 16});
  tags.assign(10, 1);
  tags.assign(11, 2);
  WalkCost cost;
  EXPECT_TRUE(tags.check(10, 1, cache, cost));   // fetched
  EXPECT_TRUE(tags.check(10, 1, cache, cost));   // cached
  EXPECT_FALSE(tags.check(11, 1, cache, cost));  // another VM's frame
  EXPECT_FALSE(tags.check(12, 1, cache, cost));  // nobody's frame
  EXPECT_EQ(tags.counters.checks, 4u);
  EXPECT_EQ(tags.counters.fetches, 3u);
  EXPECT_EQ(tags.counters.cache_hits, 1u);
  EXPECT_EQ(tags.counters.faults, 2u);
  EXPECT_EQ(cost.cycles, 3 * 200u + 1);
  EXPECT_EQ(tags.counters.dram_fetches, 3u);  // no data caches configured
  EXPECT_EQ(tags.counters.cycles, cost.cycles);
  // Re-tagging drops the cached copy: the next check sees the new owner.
  tags.assign(10, 3);
  EXPECT_FALSE(tags.check(10, 1, cache, cost));
  EXPECT_EQ(tags.counters.fetches, 4u);
  EXPECT_EQ(tags.entry_address(11), 0x4000'0000u + 11 * 16);
}

TEST(Tpt, FourReferencesPerWalkAndTagChecksOnEveryEntryAndFill) {
  auto r = run_workload("gups", load_profile("bare"), "tpt,native", 1ull << 30, 200'000);
  const SchemeStats& s = stats_of(r, "tpt");
  ASSERT_GT(s.walks, 50'000u);
  EXPECT_EQ(s.walk_mem_refs, 4 * s.walks);
  // Four page-table pages read and one TLB fill per walk, none of them a fault.
  EXPECT_EQ(detail(s, "tag_checks"), 5.0 * s.walks);
  EXPECT_EQ(detail(s, "tag_fetches") + detail(s, "tag_cache_hits"), detail(s, "tag_checks"));
  EXPECT_GT(detail(s, "tag_fetches"), 0.0);
  EXPECT_GT(detail(s, "tag_cache_hits"), 0.0);  // upper-level table pages stay cached
  EXPECT_EQ(detail(s, "tag_faults"), 0.0);
  // Tag fetches cost time on top of native's walk.
  EXPECT_GT(s.walk_cycles, stats_of(r, "native").walk_cycles);
}

TEST(Tpt, WithoutATagCacheEveryCheckIsAFetch) {
  Profile p = load_profile("bare");
  apply_setting(p, "tpt.tag_cache_entries=0");
  auto r = run_workload("gups", p, "tpt", 1ull << 28, 50'000);
  const SchemeStats& s = stats_of(r, "tpt");
  EXPECT_EQ(detail(s, "tag_fetches"), 5.0 * s.walks);
  EXPECT_EQ(detail(s, "tag_cache_hits"), 0.0);
  EXPECT_EQ(s.walk_cycles, (4 + 5) * 200ull * s.walks);  // bare: every fetch is a DRAM access
}

TEST(Tpt, GuestTableUpdatesNeedNoExit) {
  Profile p = load_profile("bare");
  apply_setting(p, "host.backing=segments");  // no population exits either
  auto r = run_workload("gups", p, "tpt,shadow", 1ull << 28, 50'000);
  EXPECT_GT(stats_of(r, "tpt").guest_faults, 10'000u);
  EXPECT_EQ(stats_of(r, "tpt").vm_exits, 0u);
  EXPECT_GT(stats_of(r, "shadow").vm_exits, stats_of(r, "shadow").guest_faults);
}

TEST(Tpt, AForeignTagIsAFaultAndIsCounted) {
  Profile p = load_profile("bare");
  apply_setting(p, "host.backing=segments");
  apply_setting(p, "tpt.inject_foreign_every=10");
  auto r = run_workload("gups", p, "tpt", 1ull << 28, 50'000);
  EXPECT_EQ(r.verified_accesses, 50'000u);  // the hypervisor resolves the fault; answers agree
  const SchemeStats& s = stats_of(r, "tpt");
  // One 4K leaf per guest fault; every tenth is another VM's frame, found at its first fill.
  uint64_t foreign = s.guest_faults / 10;
  ASSERT_GT(foreign, 500u);
  EXPECT_EQ(detail(s, "tag_faults"), static_cast<double>(foreign));
  EXPECT_EQ(s.vm_exits, foreign);
  EXPECT_EQ(s.exits_by_reason[static_cast<size_t>(ExitReason::kOther)], foreign);
}

}  // namespace hvsim
