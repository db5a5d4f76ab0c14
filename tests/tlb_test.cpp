#include "tlb/tlb_hierarchy.h"

#include <gtest/gtest.h>

#include "common/set_assoc.h"
#include "mem/cache_hierarchy.h"

namespace hvsim {
namespace {
using Tlb = TlbHierarchy<HostPhysAddr>;

TlbConfig small_tlb() {
  TlbConfig c;
  c.l1[0] = {4, 4};  // one set of four
  c.l1[1] = {2, 2};
  c.l2 = {8, 2};
  c.l2_1g = {2, 2};
  c.l2_hit_cycles = 7;
  return c;
}
}  // namespace

TEST(SetAssoc, EvictsLeastRecentlyUsedWayOfTheSet) {
  SetAssoc<int> c(4, 2);  // 2 sets x 2 ways; keys with the same parity share a set
  c.insert(0, 10);
  c.insert(2, 12);
  ASSERT_NE(c.lookup(0), nullptr);  // 0 is now most recent
  c.insert(4, 14);                  // evicts 2
  EXPECT_EQ(c.lookup(2), nullptr);
  EXPECT_EQ(*c.lookup(0), 10);
  EXPECT_EQ(*c.lookup(4), 14);
  c.insert(1, 11);  // other set untouched
  EXPECT_EQ(*c.lookup(0), 10);
}

TEST(TlbHierarchy, MissThenL1HitThenL2HitAfterL1Eviction) {
  Tlb t(small_tlb());
  HostPhysAddr base;
  PageSize size;
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x1000), 1, base, size), TlbHit::kMiss);
  t.fill(GuestVirtAddr(0x1000), 1, PageSize::k4K, HostPhysAddr(0xabc000));
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x1fff), 1, base, size), TlbHit::kL1);
  EXPECT_EQ(base.value, 0xabc000u);
  EXPECT_EQ(size, PageSize::k4K);
  for (uint64_t p = 2; p < 6; ++p)
    t.fill(GuestVirtAddr(p << 12), 1, PageSize::k4K,
           HostPhysAddr(p << 20));  // evicts page 1 from the 4-entry L1
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x1000), 1, base, size), TlbHit::kL2);
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x1000), 1, base, size), TlbHit::kL1);  // refilled into L1
}

TEST(TlbHierarchy, EntriesAreTaggedByAddressSpace) {
  Tlb t(small_tlb());
  HostPhysAddr base;
  PageSize size;
  t.fill(GuestVirtAddr(0x5000), 1, PageSize::k4K, HostPhysAddr(0x1000));
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x5000), 2, base, size), TlbHit::kMiss);
  t.fill(GuestVirtAddr(0x5000), 2, PageSize::k4K, HostPhysAddr(0x2000));
  ASSERT_EQ(t.lookup(GuestVirtAddr(0x5000), 1, base, size), TlbHit::kL1);
  EXPECT_EQ(base.value, 0x1000u);
  t.flush_asid(1);
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x5000), 1, base, size), TlbHit::kMiss);
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x5000), 2, base, size), TlbHit::kL1);
}

TEST(TlbHierarchy, LargePagesHitAnywhereInThePageAndInvalidateByAddress) {
  Tlb t(small_tlb());
  HostPhysAddr base;
  PageSize size;
  t.fill(GuestVirtAddr(0x4020'0000), 3, PageSize::k2M, HostPhysAddr(0x8000'0000));
  ASSERT_EQ(t.lookup(GuestVirtAddr(0x403f'ffff), 3, base, size), TlbHit::kL1);
  EXPECT_EQ(size, PageSize::k2M);
  EXPECT_EQ(base.value, 0x8000'0000u);
  t.invalidate_page(GuestVirtAddr(0x4030'0000), 3);
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x4020'0000), 3, base, size), TlbHit::kMiss);
}

TEST(CacheHierarchy, LatencyFollowsTheLevelThatHits) {
  CacheHierarchyConfig c;
  c.l1 = {64 * 2, 2, 4};     // 2 lines
  c.l2 = {64 * 8, 8, 12};    // 8 lines
  c.llc = {64 * 32, 8, 40};  // 32 lines
  c.dram_cycles = 200;
  CacheHierarchy h(c);
  EXPECT_EQ(h.access(0x1000).cycles, 200u);
  EXPECT_EQ(h.access(0x1008).cycles, 4u);  // same line
  h.access(0x2000);
  h.access(0x3000);  // evicts 0x1000 from L1
  EXPECT_EQ(h.access(0x1000).level, MemLevel::kL2);
}

}  // namespace hvsim

namespace hvsim {
namespace {

// 300 pages looped 20 times miss once each in a fully associative TLB that holds them all,
// whatever its associativity (the LRU head of a set was 8 bits: above 256 ways it wrapped).
uint64_t misses_of_page_loop(uint32_t entries, uint32_t ways) {
  TlbConfig c = small_tlb();
  c.l1[0] = {entries, ways};
  c.l2 = {0, 0};
  Tlb t(c);
  uint64_t misses = 0;
  HostPhysAddr base;
  PageSize size;
  for (int round = 0; round < 20; ++round)
    for (uint64_t p = 0; p < 300; ++p) {
      if (t.lookup(GuestVirtAddr(p << 12), 1, base, size) == TlbHit::kL1) continue;
      ++misses;
      t.fill(GuestVirtAddr(p << 12), 1, PageSize::k4K, HostPhysAddr(p << 12));
    }
  return misses;
}

TEST(SetAssoc, AssociativityAbove256WaysKeepsLru) {
  EXPECT_EQ(misses_of_page_loop(512, 512), 300u);
  EXPECT_EQ(misses_of_page_loop(512, 0), 300u);  // 0 ways: fully associative
  EXPECT_EQ(misses_of_page_loop(1024, 1024), 300u);
  EXPECT_EQ(misses_of_page_loop(256, 256), 6000u);  // too small: LRU thrashes on a loop
}

// INVLPG of a 2 MiB guest page also drops the 4 KiB entries made from it (a guest huge page
// over 4 KiB host pages), and nothing outside it.
TEST(TlbHierarchy, InvalidatingALargePageDropsItsSplinters) {
  Tlb t(small_tlb());
  HostPhysAddr base;
  PageSize size;
  t.fill(GuestVirtAddr(0x200000 + 0x5000), 1, PageSize::k4K, HostPhysAddr(0x9000));
  t.fill(GuestVirtAddr(0x400000), 1, PageSize::k4K, HostPhysAddr(0xa000));
  t.fill(GuestVirtAddr(0x200000 + 0x7000), 2, PageSize::k4K, HostPhysAddr(0xb000));  // another address space
  t.invalidate_page(GuestVirtAddr(0x200000), 1, PageSize::k2M);
  EXPECT_EQ(t.lookup(GuestVirtAddr(0x205000), 1, base, size), TlbHit::kMiss);
  EXPECT_NE(t.lookup(GuestVirtAddr(0x400000), 1, base, size), TlbHit::kMiss);
  EXPECT_NE(t.lookup(GuestVirtAddr(0x207000), 2, base, size), TlbHit::kMiss);
}

}  // namespace
}  // namespace hvsim
