// Table pages stored by their entries (mem/table_page.h): every read equals a plain 512-entry
// array's through inserts, overwrites, clears and the switch to the dense form.
#include <gtest/gtest.h>

#include <array>
#include <random>

#include "mem/table_memory.h"

using namespace hvsim;

namespace {

void expect_same(const TablePage& page, const std::array<uint64_t, 512>& ref) {
  unsigned present = 0;
  for (unsigned i = 0; i < 512; ++i) {
    ASSERT_EQ(page.get(i), ref[i]) << "entry " << i;
    present += ref[i] != 0;
  }
  EXPECT_EQ(page.present_entries(), present);
  // next_present visits exactly the non-zero entries, in order.
  unsigned expected = 0;
  for (unsigned i = page.next_present(0); i < 512; i = page.next_present(i + 1)) {
    while (ref[expected] == 0) ++expected;
    ASSERT_EQ(i, expected);
    ++expected;
  }
  while (expected < 512) ASSERT_EQ(ref[expected++], 0u);
}

}  // namespace

TEST(TableMemory, RandomWritesReadBackAsAPlainArray) {
  std::mt19937_64 rng(42);
  TableMemory mem;
  for (int round = 0; round < 20; ++round) {
    TablePage& page = *mem.create(round);
    std::array<uint64_t, 512> ref{};
    // A few hundred writes: pages cross kSparseMax in some rounds, not in others; one in four
    // writes clears an entry.
    const int writes = 8 + static_cast<int>(rng() % 400);
    for (int w = 0; w < writes; ++w) {
      unsigned i = static_cast<unsigned>(rng() % 512);
      uint64_t v = rng() % 4 == 0 ? 0 : (rng() | 1);
      mem.write(page, i, v);
      ref[i] = v;
    }
    expect_same(page, ref);
  }
  EXPECT_EQ(mem.pages(), 20u);
}

TEST(TableMemory, APageBecomesDenseOnlyBeyondSparseMax) {
  TableMemory mem;
  TablePage& page = *mem.create(3);
  std::array<uint64_t, 512> ref{};
  for (unsigned k = 0; k < TablePage::kSparseMax; ++k) {
    const unsigned i = (k * 37) % 512;  // out of index order
    mem.write(page, i, 0x1000 * (k + 1) | 7);
    ref[i] = 0x1000 * (k + 1) | 7;
  }
  EXPECT_FALSE(page.dense());
  expect_same(page, ref);
  mem.write(page, 511, 0xabc001);
  ref[511] = 0xabc001;
  EXPECT_TRUE(page.dense());
  EXPECT_EQ(mem.dense_pages(), 1u);
  expect_same(page, ref);
  // Released and created again: empty, sparse, and the dense page is reused.
  mem.release(3);
  EXPECT_EQ(mem.page(3), nullptr);
  TablePage& again = *mem.create(3);
  EXPECT_FALSE(again.dense());
  EXPECT_EQ(again.present_entries(), 0u);
  EXPECT_EQ(again.next_present(0), 512u);
  EXPECT_EQ(mem.dense_pages(), 0u);
}

TEST(TableMemory, MemoryGrowsWithEntriesNotPages) {
  // 100k table pages of two entries each: far below 4KiB a page.
  TableMemory mem;
  for (uint64_t f = 0; f < 100'000; ++f) {
    TablePage& p = *mem.create(f);
    mem.write(p, 0, 0x2001);
    mem.write(p, 300, 0x3001);
  }
  EXPECT_EQ(mem.dense_pages(), 0u);
  EXPECT_LT(mem.memory_bytes(), 100'000u * 256);
  EXPECT_EQ(mem.page(99'999)->get(300), 0x3001u);
}
