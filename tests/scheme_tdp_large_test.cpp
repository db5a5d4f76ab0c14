// tdp-large: a host dimension of fewer, larger levels. With the bare profile a walk fetches
// exactly (g+1)(h+1)-1 entries for h host levels, and every answer is the machine's.
#include <gtest/gtest.h>

#include "common/error.h"
#include "hv/large_host_table.h"
#include "test_support.h"

namespace hvsim {
namespace {

using test::run_workload;
using test::stats_of;

uint64_t detail(const SchemeStats& s, const char* key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? ~0ull : static_cast<uint64_t>(it->second);
}

TEST(TdpLarge, BareGupsTwoHostLevelsGives14) {
  Profile p = load_profile("bare");
  auto r = run_workload("gups", p, "nested,tdp-large", 1ull << 30, 200'000);  // verified
  const SchemeStats& s = stats_of(r, "tdp-large");
  ASSERT_GT(s.walks, 50'000u);
  EXPECT_EQ(s.walk_mem_refs, 14 * s.walks);
  EXPECT_EQ(detail(s, "host_levels"), 2u);
  EXPECT_EQ(detail(s, "host_leaf_bytes"), 1ull << 30);
  // Per walk: 4 guest entries and 5 host walks of 2 entries.
  EXPECT_EQ(detail(s, "guest_dimension_refs"), 4 * s.walks);
  EXPECT_EQ(detail(s, "host_dimension_refs"), 10 * s.walks);
  EXPECT_EQ(s.walks, stats_of(r, "nested").walks);
  EXPECT_LT(s.walk_cycles, stats_of(r, "nested").walk_cycles);
}

struct DepthCase {
  int guest_levels, host_levels;
  const char* leaf;
  uint64_t refs;
};

class TdpLargeDepth : public ::testing::TestWithParam<DepthCase> {};

TEST_P(TdpLargeDepth, BareWalkFetchesTheTwoDimensionalFormula) {
  const DepthCase& c = GetParam();
  Profile p = load_profile("bare");
  apply_setting(p, "paging.guest_levels=" + std::to_string(c.guest_levels));
  apply_setting(p, "tdp-large.levels=" + std::to_string(c.host_levels));
  apply_setting(p, std::string("tdp-large.leaf=") + c.leaf);
  auto r = run_workload("gups", p, "tdp-large", 512ull << 20, 40'000);
  const SchemeStats& s = stats_of(r, "tdp-large");
  ASSERT_GT(s.walks, 10'000u);
  EXPECT_EQ(s.walk_mem_refs, c.refs * s.walks);
}

INSTANTIATE_TEST_SUITE_P(Layouts, TdpLargeDepth,
                         ::testing::Values(DepthCase{4, 1, "1G", 9},    // one flat level
                                           DepthCase{4, 1, "4K", 9},    // flat, 4 KiB leaves
                                           DepthCase{4, 2, "4K", 14},   // two big tables
                                           DepthCase{4, 3, "2M", 19},   // h = 3
                                           DepthCase{5, 2, "1G", 17},   // (5+1)(2+1)-1
                                           DepthCase{5, 4, "4K", 29}),  // (5+1)(4+1)-1
                         [](const auto& info) {
                           const DepthCase& c = info.param;
                           return "g" + std::to_string(c.guest_levels) + "_h" +
                                  std::to_string(c.host_levels) + "_" + c.leaf;
                         });

// Leaves smaller than, equal to and larger than the machine's host pages, with small and large
// guest pages: the answers must be the machine's on every access (run_workload verifies).
TEST(TdpLarge, AnswersAgreeForEveryLeafAndBackingSize) {
  for (const char* host_page : {"4K", "2M"})
    for (const char* leaf : {"4K", "2M", "1G"})
      for (const char* guest : {"4K", "2M"}) {
        Profile p = load_profile("default");
        apply_setting(p, std::string("host.page_size=") + host_page);
        apply_setting(p, std::string("guest.page_size=") + guest);
        apply_setting(p, std::string("tdp-large.leaf=") + leaf);
        RunReport r;
        ASSERT_NO_THROW(r = run_workload("zipf", p, "tdp-large", 1ull << 30, 20'000, true, 3))
            << host_page << " " << leaf << " " << guest;
        EXPECT_EQ(r.verified_accesses, 20'000u);
      }
}

TEST(TdpLarge, LayoutSplitsBitsEvenlyWithTheRemainderOnTop) {
  auto l = LargeHostLayout::make(2, 30, 32, "t");
  EXPECT_EQ(l.bits[1], 1u);
  EXPECT_EQ(l.bits[2], 1u);
  auto m = LargeHostLayout::make(2, 12, 33, "t");  // 21 bits: 10 below, 11 on top
  EXPECT_EQ(m.bits[1], 10u);
  EXPECT_EQ(m.bits[2], 11u);
  EXPECT_EQ(m.shift[2], 22u);
  EXPECT_EQ(m.table_bytes(2), 16u << 10);
  EXPECT_THROW(LargeHostLayout::make(1, 12, 48, "t"), InputError);  // a 2^36-entry table
  EXPECT_THROW(LargeHostLayout::make(3, 30, 32, "t"), InputError);  // 2 bits for 3 levels
  EXPECT_THROW(LargeHostLayout::make(0, 30, 40, "t"), InputError);
}

TEST(TdpLarge, RejectsBadKeys) {
  for (const char* bad : {"tdp-large.levels=0", "tdp-large.levels=6", "tdp-large.leaf=3K",
                          "tdp-large.leaf=2K", "tdp-large.depth=2"}) {
    Profile p = load_profile("bare");
    EXPECT_THROW(apply_setting(p, bad), InputError) << bad;
  }
}

// End to end: every scheme agrees with the reference on the three workloads, and the bare
// table shows tdp-large's 14 references per walk. Cold starts: a warm-up adds nothing to what is
// checked, and millions of accesses to the run.
TEST(TdpLarge, CompareAllSchemesVerifiesAndShowsFourteen) {
  auto all =
      test::run_hvsim("compare --schemes all --workload gups,chase,zipf --accesses 20k --warmup 0 --verify");
  EXPECT_EQ(all.status, 0) << all.err;
  for (const char* name : {"switching", "agile", "tdp-large"})
    EXPECT_NE(all.out.find(name), std::string::npos);
  auto bare = test::run_hvsim(
      "compare --schemes tdp-large --workload gups --profile bare --accesses 50k --warmup 0 --verify");
  EXPECT_EQ(bare.status, 0) << bare.err;
  auto row = bare.out.find("tdp-large ");
  ASSERT_NE(row, std::string::npos) << bare.out;
  std::string line = bare.out.substr(row, bare.out.find('\n', row) - row);
  EXPECT_NE(line.find(" 14.00 "), std::string::npos) << line;
}

}  // namespace
}  // namespace hvsim
