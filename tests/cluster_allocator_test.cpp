// The contiguous-range allocators against a brute-force bitmap oracle: long random sequences of
// allocations (single and split), frees and exact takes; after every step no unit is handed out
// twice, nothing is lost, the free count adds up, and first-fit / best-fit chose exactly the hole
// the oracle says they must.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/random.h"
#include "mem/segment_allocator.h"
#include "mem/segment_split.h"

namespace hvsim {
namespace {

struct Oracle {
  std::vector<uint8_t> used;  // 1: handed out or taken
  explicit Oracle(uint64_t n) : used(n, 0) {}
  uint64_t free_count() const { return static_cast<uint64_t>(std::count(used.begin(), used.end(), 0)); }
  bool all_free(const Extent& e) const {
    if (e.end() > used.size()) return false;
    return std::all_of(used.begin() + e.start, used.begin() + e.end(), [](uint8_t u) { return u == 0; });
  }
  void mark(const Extent& e, uint8_t v) { std::fill(used.begin() + e.start, used.begin() + e.end(), v); }
  // Free runs as (start, length), in address order.
  std::vector<Extent> runs() const {
    std::vector<Extent> out;
    for (uint64_t i = 0; i < used.size();) {
      if (used[i]) {
        ++i;
        continue;
      }
      uint64_t j = i;
      while (j < used.size() && !used[j]) ++j;
      out.push_back({i, j - i});
      i = j;
    }
    return out;
  }
  uint64_t largest_aligned(uint64_t align) const {
    uint64_t best = 0;
    for (const Extent& r : runs()) {
      const uint64_t s = (r.start + align - 1) / align * align;
      if (s < r.end()) best = std::max(best, (r.end() - s) / align * align);
    }
    return best;
  }
};

// Where first-fit / best-fit must put n units (nullopt: nowhere).
std::optional<uint64_t> expected_start(const Oracle& o, AllocatorKind kind, uint64_t n) {
  std::optional<Extent> pick;
  for (const Extent& r : o.runs()) {
    if (r.length < n) continue;
    if (kind == AllocatorKind::kFirstFit) return r.start;
    if (!pick || r.length < pick->length) pick = r;
  }
  return pick ? std::optional<uint64_t>(pick->start) : std::nullopt;
}

void check_state(const SegmentAllocator& a, const Oracle& o, AllocatorKind kind, uint64_t align) {
  ASSERT_EQ(a.free_units(), o.free_count());
  if (kind == AllocatorKind::kAligned) {
    ASSERT_EQ(a.largest_allocatable(), o.largest_aligned(align));
  } else if (kind != AllocatorKind::kBuddy) {
    uint64_t longest = 0;
    for (const Extent& r : o.runs()) longest = std::max(longest, r.length);
    ASSERT_EQ(a.largest_allocatable(), longest);
  }
}

void run_random_sequence(AllocatorKind kind, uint64_t seed) {
  const uint64_t units = 3000, align = 64;  // not a power of two: the buddy's edge blocks are small
  auto a = make_segment_allocator(kind, units, align);
  Oracle o(units);
  Rng rng(seed);
  // Reserved regions and pinned units first, as a host is set up.
  for (Extent e : {Extent{0, 40}, Extent{700, 1}, Extent{1500, 3}}) {
    ASSERT_TRUE(a->take(e));
    o.mark(e, 1);
  }
  ASSERT_FALSE(a->take({20, 30})) << "overlaps the reserved bottom";
  std::vector<std::vector<Extent>> live;
  for (int step = 0; step < 6000; ++step) {
    const uint64_t r = rng.below(10);
    if (r < 5) {
      const uint64_t n = 1 + rng.below(r == 0 ? 600 : 120);
      const auto split = static_cast<SplitOrder>(rng.below(3));
      const auto budget = static_cast<uint32_t>(1 + rng.below(6));
      const auto before = kind == AllocatorKind::kFirstFit || kind == AllocatorKind::kBestFit
                              ? expected_start(o, kind, n)
                              : std::nullopt;
      auto got = allocate_segments(*a, n, budget, split);
      if (got.empty()) {
        ASSERT_FALSE(before) << "refused " << n << " units although a hole holds them";
        continue;
      }
      if (before) {
        ASSERT_EQ(got.front().start, *before) << "step " << step;
      }
      ASSERT_LE(got.size(), budget);
      if (split == SplitOrder::kRefuse) {
        ASSERT_EQ(got.size(), 1u);
      }
      uint64_t sum = 0;
      for (const Extent& e : got) {
        ASSERT_GT(e.length, 0u);
        ASSERT_TRUE(o.all_free(e)) << "extent " << e.start << "+" << e.length << " overlaps at step " << step;
        if (kind == AllocatorKind::kAligned) {
          ASSERT_EQ(e.start % align, 0u);
        }
        o.mark(e, 1);
        sum += e.length;
      }
      ASSERT_GE(sum, n);
      live.push_back(got);
    } else if (r < 9 && !live.empty()) {
      const uint64_t i = rng.below(live.size());
      for (const Extent& e : live[i]) {
        a->release(e);
        o.mark(e, 0);
      }
      live[i] = live.back();
      live.pop_back();
    } else {
      const Extent e{rng.below(units), 1 + rng.below(8)};
      const bool expect = o.all_free(e);
      ASSERT_EQ(a->take(e), expect) << "take " << e.start << "+" << e.length;
      if (expect) {
        o.mark(e, 1);
        live.push_back({e});
      }
    }
    check_state(*a, o, kind, align);
  }
  for (auto& v : live)
    for (const Extent& e : v) a->release(e);
  EXPECT_EQ(a->free_units(), units - 44);
}

TEST(ClusterAllocator, FirstFitMatchesBitmapOracle) { run_random_sequence(AllocatorKind::kFirstFit, 1); }
TEST(ClusterAllocator, BestFitMatchesBitmapOracle) { run_random_sequence(AllocatorKind::kBestFit, 2); }
TEST(ClusterAllocator, AlignedMatchesBitmapOracle) { run_random_sequence(AllocatorKind::kAligned, 3); }
TEST(ClusterAllocator, BuddyMatchesBitmapOracle) { run_random_sequence(AllocatorKind::kBuddy, 4); }

TEST(ClusterAllocator, SplitsLargestFirstOrInAddressOrderOrRefuses) {
  // Holes of 10, 30 and 20 units at 0, 20 and 60: 45 units fit in no single hole.
  for (auto split : {SplitOrder::kLargestFirst, SplitOrder::kAddressOrder, SplitOrder::kRefuse}) {
    auto a = make_segment_allocator(AllocatorKind::kFirstFit, 80, 1);
    ASSERT_TRUE(a->take({10, 10}));
    ASSERT_TRUE(a->take({50, 10}));
    auto got = allocate_segments(*a, 45, 3, split);
    if (split == SplitOrder::kRefuse) {
      EXPECT_TRUE(got.empty());
    } else if (split == SplitOrder::kLargestFirst) {
      EXPECT_EQ(got, (std::vector<Extent>{{20, 30}, {60, 15}}));
    } else {
      EXPECT_EQ(got, (std::vector<Extent>{{0, 10}, {20, 30}, {60, 5}}));
    }
    // Two segments are not enough in address order: nothing may stay taken.
    auto b = make_segment_allocator(AllocatorKind::kFirstFit, 80, 1);
    ASSERT_TRUE(b->take({10, 10}));
    ASSERT_TRUE(b->take({50, 10}));
    if (split == SplitOrder::kAddressOrder) {
      EXPECT_TRUE(allocate_segments(*b, 45, 2, split).empty());
      EXPECT_EQ(b->free_units(), 60u);
    }
  }
}

TEST(ClusterAllocator, BuddyRoundsUpToAPowerOfTwo) {
  auto a = make_segment_allocator(AllocatorKind::kBuddy, 1024, 1);
  auto e = a->allocate(300);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->length, 512u);
  EXPECT_EQ(e->start % 512, 0u);
  EXPECT_EQ(a->free_units(), 512u);
  EXPECT_EQ(a->largest_allocatable(), 512u);
}

TEST(ClusterAllocator, ParsesAllocatorNames) {
  EXPECT_EQ(parse_allocator_kind("best-fit"), AllocatorKind::kBestFit);
  try {
    parse_allocator_kind("worst");
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_STREQ(
        e.what(),
        "--allocator: 'worst' is not an allocator; expected one of: first-fit, best-fit, aligned, buddy");
  }
}

}  // namespace
}  // namespace hvsim
