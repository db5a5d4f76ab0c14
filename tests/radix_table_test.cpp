#include "paging/radix_table.h"

#include <gtest/gtest.h>

#include "common/address.h"

namespace hvsim {
namespace {

using Table = RadixTable<GuestVirtAddr, GuestPhysAddr, X86Entry>;

struct Fixture {
  TableMemory mem;
  uint64_t next_frame = 1000;
  Table table;
  explicit Fixture(int levels) : table(mem, levels, 1) {}
  auto alloc() {
    return [this] { return next_frame++; };
  }
};

}  // namespace

// map() reports the entries it wrote, top-down, as a walk of the new mapping reads them: all four
// for a page in a fresh region, the leaf alone for the next page there (which takes the region's
// leaf table without descending).
TEST(RadixTable, MapReportsTheEntriesItWroteAsTheWalkReadsThem) {
  Fixture f(4);
  const GuestVirtAddr first(0x7f12'3456'7000ull), second(0x7f12'3457'2000ull);  // one 2 MiB region
  auto fx1 = f.table.map(first, GuestPhysAddr(0x5000), PageSize::k4K, true, f.alloc());
  auto path1 = f.table.walk(first);
  ASSERT_EQ(fx1.entries_written, 4);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(fx1.written[i].entry_addr, path1.steps[i].entry_addr) << i;
    EXPECT_EQ(fx1.written[i].level, path1.steps[i].level) << i;
  }
  auto fx2 = f.table.map(second, GuestPhysAddr(0x9000), PageSize::k4K, false, f.alloc());
  auto path2 = f.table.walk(second);
  ASSERT_EQ(fx2.entries_written, 1);
  EXPECT_EQ(fx2.tables_allocated, 0);
  EXPECT_EQ(fx2.written[0].entry_addr, path2.steps[3].entry_addr);
  EXPECT_EQ(fx2.written[0].level, 1);
  EXPECT_EQ(path2.result.value, 0x9000u);
  EXPECT_FALSE(f.table.translate(second)->writable);
}

TEST(RadixTable, FourKiBMappingWritesRealEntriesAndWalksFourLevels) {
  Fixture f(4);
  GuestVirtAddr va(0x7f12'3456'7abcull);
  MapEffect fx = f.table.map(va.align_down(12), GuestPhysAddr(0x4242'3000), PageSize::k4K, true, f.alloc());
  EXPECT_EQ(fx.tables_allocated, 3);  // PDPT, PD, PT below the root
  EXPECT_EQ(fx.entries_written, 4);
  auto path = f.table.walk(va);
  ASSERT_TRUE(path.ok);
  EXPECT_EQ(path.count, 4);
  EXPECT_EQ(path.result.value, 0x4242'3abcull);
  EXPECT_EQ(path.size, PageSize::k4K);
  // The first entry read is in the root at the PML4 index of the address.
  EXPECT_EQ(path.steps[0].entry_addr.value, (1ull << 12) + table_index(va.value, 4) * 8);
  // The leaf entry is in x86 format: frame, present, writable, user, no PS bit.
  uint64_t leaf_frame = path.steps[3].entry_addr.value >> 12;
  uint64_t leaf = f.mem.page(leaf_frame)->get(table_index(va.value, 1));
  EXPECT_EQ(leaf & kEntryAddrMask, 0x4242'3000ull);
  EXPECT_TRUE(leaf & X86Entry::kPresent);
  EXPECT_TRUE(leaf & X86Entry::kWrite);
  EXPECT_TRUE(leaf & X86Entry::kUser);
  EXPECT_FALSE(leaf & X86Entry::kPageSize);
}

TEST(RadixTable, LargePagesEndTheWalkEarlyWithThePsBit) {
  Fixture f(4);
  GuestVirtAddr two_meg(0x4000'0000ull + 0x20'0000ull * 3 + 0x1234);
  f.table.map(two_meg.align_down(21), GuestPhysAddr(0x8000'0000ull), PageSize::k2M, true, f.alloc());
  auto p2 = f.table.walk(two_meg);
  ASSERT_TRUE(p2.ok);
  EXPECT_EQ(p2.count, 3);
  EXPECT_EQ(p2.size, PageSize::k2M);
  EXPECT_EQ(p2.result.value, 0x8000'1234ull);

  GuestVirtAddr one_gig(0x80'0000'0000ull + 0x123'4567);
  f.table.map(one_gig.align_down(30), GuestPhysAddr(0x1'4000'0000ull), PageSize::k1G, true, f.alloc());
  auto p1 = f.table.walk(one_gig);
  ASSERT_TRUE(p1.ok);
  EXPECT_EQ(p1.count, 2);
  EXPECT_EQ(p1.size, PageSize::k1G);
  EXPECT_EQ(p1.result.value, 0x1'4000'0000ull + 0x123'4567);
  uint64_t pdpte = f.mem.page(p1.steps[1].entry_addr.value >> 12)->get(table_index(one_gig.value, 3));
  EXPECT_TRUE(pdpte & X86Entry::kPageSize);
}

TEST(RadixTable, FiveLevelsUseBitsFortyEightToFiftySix) {
  Fixture f(5);
  GuestVirtAddr va((1ull << 52) + 0x5000);
  f.table.map(va.align_down(12), GuestPhysAddr(0x9000), PageSize::k4K, true, f.alloc());
  auto path = f.table.walk(va);
  ASSERT_TRUE(path.ok);
  EXPECT_EQ(path.count, 5);
  EXPECT_EQ(table_index(va.value, 5), 16u);
  // The same address with bit 52 clear is a different PML5 slot: unmapped.
  EXPECT_FALSE(f.table.translate(GuestVirtAddr(0x5000)));
}

TEST(RadixTable, UnmappedAddressFaultsAtTheFirstMissingLevel) {
  Fixture f(4);
  f.table.map(GuestVirtAddr(0x1000), GuestPhysAddr(0x2000), PageSize::k4K, true, f.alloc());
  auto same_pt = f.table.walk(GuestVirtAddr(0x3000));  // same PT, empty slot
  EXPECT_FALSE(same_pt.ok);
  EXPECT_EQ(same_pt.count, 4);
  auto other_pml4 = f.table.walk(GuestVirtAddr(1ull << 40));
  EXPECT_FALSE(other_pml4.ok);
  EXPECT_EQ(other_pml4.count, 1);
}

TEST(RadixTable, EptEntriesUseReadWriteExecuteBits) {
  TableMemory mem;
  RadixTable<GuestPhysAddr, HostPhysAddr, EptEntry> ept(mem, 4, 7);
  uint64_t next = 100;
  ept.map(GuestPhysAddr(0x20'0000), HostPhysAddr(0x40'0000), PageSize::k2M, true, [&] { return next++; });
  auto path = ept.walk(GuestPhysAddr(0x20'1234));
  ASSERT_TRUE(path.ok);
  uint64_t leaf = mem.page(path.steps[2].entry_addr.value >> 12)->get(1);
  EXPECT_EQ(leaf & 7, 7u);  // R, W, X
  EXPECT_TRUE(leaf & EptEntry::kPageSize);
  EXPECT_EQ(path.result.value, 0x40'1234ull);
}

}  // namespace hvsim
