// Exact memory references per walk with the `bare` profile (nothing cached on the walk path):
// the textbook figures must come out of the real tables, not a formula.
#include <gtest/gtest.h>

#include "test_support.h"

namespace hvsim {

using test::refs_per_walk;
using test::run_workload;
using test::stats_of;

TEST(WalkRefs, BareFourLevelGupsGives4_24_4) {
  Profile p = load_profile("bare");
  auto r = run_workload("gups", p, "native,nested,shadow", 1ull << 30, 200'000);
  for (const char* s : {"native", "nested", "shadow"}) ASSERT_GT(stats_of(r, s).walks, 50'000u) << s;
  // Exact: every completed walk fetches exactly this many entries.
  EXPECT_EQ(stats_of(r, "native").walk_mem_refs, 4 * stats_of(r, "native").walks);
  EXPECT_EQ(stats_of(r, "nested").walk_mem_refs, 24 * stats_of(r, "nested").walks);
  EXPECT_EQ(stats_of(r, "shadow").walk_mem_refs, 4 * stats_of(r, "shadow").walks);
}

TEST(WalkRefs, BareFiveLevelGupsGives5_35_5) {
  Profile p = load_profile("bare");
  apply_setting(p, "paging.guest_levels=5");
  apply_setting(p, "paging.host_levels=5");
  auto r = run_workload("gups", p, "native,nested,shadow", 1ull << 30, 100'000);
  EXPECT_EQ(stats_of(r, "native").walk_mem_refs, 5 * stats_of(r, "native").walks);
  EXPECT_EQ(stats_of(r, "nested").walk_mem_refs, 35 * stats_of(r, "nested").walks);
  EXPECT_EQ(stats_of(r, "shadow").walk_mem_refs, 5 * stats_of(r, "shadow").walks);
}

TEST(WalkRefs, MixedDepthsFollowTheTwoDimensionalFormula) {
  Profile p = load_profile("bare");
  apply_setting(p, "paging.guest_levels=4");
  apply_setting(p, "paging.host_levels=5");
  auto r = run_workload("gups", p, "nested", 256ull << 20, 50'000);
  EXPECT_EQ(stats_of(r, "nested").walk_mem_refs, 29 * stats_of(r, "nested").walks);
}

TEST(WalkRefs, LargeGuestPagesShortenTheGuestDimension) {
  Profile p = load_profile("bare");
  apply_setting(p, "guest.page_size=2M");
  auto r = run_workload("gups", p, "native,nested", 4ull << 30, 50'000);
  // Guest 2M pages: 3 guest levels; host still 4K: (3+1)(4+1)-1 = 19.
  EXPECT_EQ(stats_of(r, "native").walk_mem_refs, 3 * stats_of(r, "native").walks);
  EXPECT_EQ(stats_of(r, "nested").walk_mem_refs, 19 * stats_of(r, "nested").walks);
}

TEST(WalkRefs, DefaultProfileCachesCutNestedWalksWellBelow24) {
  Profile p = load_profile("default");
  auto r = run_workload("gups", p, "native,nested,shadow", 1ull << 30, 300'000, false);
  double nested = refs_per_walk(stats_of(r, "nested"));
  EXPECT_LT(nested, 12.0);
  EXPECT_GT(nested, refs_per_walk(stats_of(r, "native")));
  EXPECT_GT(stats_of(r, "nested").walk_cycles, stats_of(r, "native").walk_cycles);
}

TEST(WalkRefs, ShadowExitsWhileMappingAndNotOnceWarm) {
  Profile p = load_profile("default");
  // 64 MiB: 16k pages, all touched during a 400k-event warm-up.
  auto cold = run_workload("gups", p, "shadow", 64ull << 20, 400'000, false);
  EXPECT_GT(stats_of(cold, "shadow").vm_exits, 16'000u);
  auto warm = run_workload("gups", p, "shadow", 64ull << 20, 400'000, false, 1, 400'000);
  EXPECT_EQ(stats_of(warm, "shadow").accesses, 400'000u);
  EXPECT_LT(stats_of(warm, "shadow").vm_exits, 10u);
  EXPECT_GT(stats_of(warm, "shadow").walks, 1000u);
}

}  // namespace hvsim
