#include "mem/buddy_allocator.h"

#include <gtest/gtest.h>

#include <set>

namespace hvsim {

TEST(BuddyAllocator, AllocatesAlignedBlocksUpward) {
  BuddyAllocator b(0, 1 << 20);
  auto a = b.allocate(0);
  auto c = b.allocate(0);
  ASSERT_TRUE(a && c);
  EXPECT_EQ(*a, 0u);
  EXPECT_EQ(*c, 1u);
  auto huge = b.allocate(9);  // 2 MiB
  ASSERT_TRUE(huge);
  EXPECT_EQ(*huge % 512, 0u);
  auto gig = b.allocate(18);
  ASSERT_TRUE(gig);
  EXPECT_EQ(*gig % (1 << 18), 0u);
  EXPECT_EQ(b.free_frames(), (1u << 20) - 2 - 512 - (1u << 18));
}

TEST(BuddyAllocator, FreeMergesBuddiesBackIntoLargeBlocks) {
  BuddyAllocator b(0, 1 << 18);
  std::vector<uint64_t> frames;
  for (int i = 0; i < 1024; ++i) frames.push_back(*b.allocate(0));
  std::set<uint64_t> unique(frames.begin(), frames.end());
  EXPECT_EQ(unique.size(), 1024u);
  for (uint64_t f : frames) b.free(f, 0);
  EXPECT_EQ(b.free_frames(), 1u << 18);
  // Fully merged: the whole range is one 1 GiB block again.
  auto whole = b.allocate(18);
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, 0u);
  EXPECT_FALSE(b.allocate(0));
}

TEST(BuddyAllocator, ReportsExhaustion) {
  BuddyAllocator b(100, 3);  // unaligned, odd-sized range
  EXPECT_TRUE(b.allocate(0));
  EXPECT_TRUE(b.allocate(0));
  EXPECT_TRUE(b.allocate(0));
  EXPECT_FALSE(b.allocate(0));
  EXPECT_FALSE(b.allocate(1));
}

}  // namespace hvsim
