#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/page_size.h"
#include "workload/generator.h"

namespace hvsim {
namespace {

std::vector<Event> generate(const std::string& name, uint64_t accesses, uint64_t seed,
                            std::map<std::string, std::string> opts = {}, uint64_t footprint = 64ull << 20) {
  const auto* e = WorkloadRegistry::instance().find(name);
  EXPECT_NE(e, nullptr) << name;
  WorkloadParams p;
  p.accesses = accesses;
  p.seed = seed;
  p.footprint = footprint;
  p.options = std::move(opts);
  auto src = e->factory(p);
  std::vector<Event> out, buf(1000);
  while (size_t n = src->next_batch(buf))
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
  return out;
}

class ExtraGenerator : public ::testing::TestWithParam<std::string> {};

TEST_P(ExtraGenerator, DeterministicBySeedAndInsideItsMapping) {
  auto a = generate(GetParam(), 50'000, 7);
  auto b = generate(GetParam(), 50'000, 7);
  auto c = generate(GetParam(), 50'000, 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  ASSERT_EQ(a.size(), 50'001u);
  ASSERT_EQ(a[0].kind, EventKind::kMmap);
  EXPECT_EQ(a[0].addr, kWorkloadHeapBase);
  EXPECT_EQ(a[0].arg % 4096, 0u);
  std::set<uint64_t> pages;
  for (size_t i = 1; i < a.size(); ++i) {
    ASSERT_TRUE(is_access(a[i].kind));
    ASSERT_GE(a[i].addr, a[0].addr) << i;
    ASSERT_LE(a[i].addr + a[i].size, a[0].addr + a[0].arg) << i;
    pages.insert(a[i].addr >> 12);
  }
  EXPECT_GT(pages.size(), 100u);  // spreads over the data, not one hot page
}

TEST_P(ExtraGenerator, RejectsUnknownOption) {
  try {
    generate(GetParam(), 10, 1, {{"bogus", "1"}});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(
        std::string(e.what()).find("workload.bogus: the '" + GetParam() + "' workload has no such option"),
        std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Generators, ExtraGenerator, ::testing::Values("bfs", "btree", "memcached"));

TEST(BfsGenerator, EnqueuesEachVertexOnceInQueueOrder) {
  auto ev = generate("bfs", 200'000, 3, {{"scale", "10"}, {"edgefactor", "8"}});
  // Layout: offsets (1025·8 → 3 pages), then edges, parents, queue; the queue is the last
  // 1024·8 bytes (2 pages) of the mapping.
  const uint64_t end = ev[0].addr + ev[0].arg, queue = end - 2 * 4096;
  const uint64_t offsets_end = ev[0].addr + 3 * 4096;
  uint64_t expect_slot = 0, roots = 0;
  std::map<uint64_t, int> parent_stores;
  for (size_t i = 1; i < ev.size(); ++i) {
    const Event& e = ev[i];
    if (e.kind == EventKind::kStore && e.addr >= queue) {
      if (e.addr == queue) {
        ++roots, expect_slot = 0;  // a new search starts at the queue's head
        parent_stores.clear();
      }
      EXPECT_EQ(e.addr, queue + 8 * expect_slot) << i;
      ++expect_slot;
    } else if (e.kind == EventKind::kStore) {
      EXPECT_EQ(++parent_stores[e.addr], 1) << "vertex claimed twice at event " << i;
    } else if (e.addr < offsets_end) {
      EXPECT_EQ(e.kind, EventKind::kLoad);
    }
  }
  EXPECT_GE(roots, 2u);  // 200k accesses finish more than one search of a 1024-vertex graph
  EXPECT_THROW(generate("bfs", 10, 1, {{"scale", "40"}}), InputError);
}

TEST(BtreeGenerator, BinarySearchPerLevel) {
  // 4 KiB nodes hold 256 keys: 8 probes plus the child pointer per level.
  auto ev = generate("btree", 90'000, 5, {}, 256ull << 20);
  // 65280 leaves → 256 → 1: three levels, 27 accesses per lookup, and the root is the first node.
  for (size_t i = 1; i < ev.size(); i += 27) {
    EXPECT_EQ(ev[i].addr, kWorkloadHeapBase + 8 * 128) << i;  // first probe: the root's middle key
    EXPECT_EQ(ev[i + 8].addr - kWorkloadHeapBase >= 2048, true);
  }
  auto upd = generate("btree", 27'000, 5, {{"update", "100"}}, 256ull << 20);
  size_t stores = 0;
  for (auto& e : upd) stores += e.kind == EventKind::kStore;
  EXPECT_EQ(stores, 1000u);  // one value write per lookup
}

TEST(MemcachedGenerator, GetsOnlyWriteTheHeader) {
  auto ev = generate("memcached", 100'000, 9, {{"get", "100"}});
  size_t stores = 0, loads = 0;
  for (size_t i = 1; i < ev.size(); ++i) {
    if (ev[i].kind == EventKind::kStore) {
      ++stores;
      // the LRU bump is 16 bytes into the item whose header was read before it
    } else {
      ++loads;
    }
  }
  EXPECT_GT(stores, 0u);
  EXPECT_GT(loads, 3 * stores);
  auto sets = generate("memcached", 100'000, 9, {{"get", "0"}});
  size_t set_stores = 0;
  for (auto& e : sets) set_stores += e.kind == EventKind::kStore;
  EXPECT_GT(set_stores, stores);
}

}  // namespace
}  // namespace hvsim

namespace hvsim {
namespace {

// mmap-churn's buffer sits 1 GiB above the data set: a footprint that would push it past the top
// of user space is refused up front, naming the largest that fits.
TEST(MmapChurnGenerator, BufferMustStayInUserSpace) {
  WorkloadParams p;
  p.footprint = kTiB;
  try {
    WorkloadRegistry::instance().find("mmap-churn")->factory(p);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--footprint: mmap-churn puts its 1MiB buffer 1 GiB above the data set, past the top of user "
              "space; expected a footprint of at most 1022GiB");
  }
  p.footprint = 1022 * kGiB;
  EXPECT_NE(WorkloadRegistry::instance().find("mmap-churn")->factory(p), nullptr);
}

}  // namespace
}  // namespace hvsim

namespace hvsim {
namespace {

// mmap-churn with workload.phase=N: N accesses of buffer rounds alone (map, fill, read, unmap),
// then N random loads of the data set alone, and again.
TEST(MmapChurnPhases, AlternateChurnAndRandomWorkNAccessesEach) {
  const uint64_t footprint = 64ull << 20;
  auto ev = generate("mmap-churn", 60, 3, {{"chunk", "4KiB"}, {"phase", "10"}}, footprint);
  const auto in_data = [&](const Event& e) {
    return e.addr >= kWorkloadHeapBase && e.addr < kWorkloadHeapBase + footprint;
  };
  ASSERT_EQ(ev[0].kind, EventKind::kMmap);
  std::vector<std::string> shape;  // "churn" for a buffer round, "work" for a data-set load
  for (size_t i = 1; i < ev.size(); ++i) {
    if (ev[i].kind == EventKind::kMmap) {
      ASSERT_LT(i + 3, ev.size());
      EXPECT_EQ(ev[i + 1].kind, EventKind::kStore);
      EXPECT_EQ(ev[i + 2].kind, EventKind::kLoad);
      EXPECT_FALSE(in_data(ev[i + 1]));
      EXPECT_EQ(ev[i + 3].kind, EventKind::kMunmap);
      shape.push_back("churn");
      i += 3;
    } else {
      ASSERT_EQ(ev[i].kind, EventKind::kLoad) << i;
      EXPECT_TRUE(in_data(ev[i])) << i;
      shape.push_back("work");
    }
  }
  // 60 accesses: 5 rounds of 2 accesses, 10 loads, 5 rounds, 10 loads, 5 rounds, 10 loads.
  std::vector<std::string> expected;
  for (int p = 0; p < 3; ++p) {
    expected.insert(expected.end(), 5, "churn");
    expected.insert(expected.end(), 10, "work");
  }
  EXPECT_EQ(shape, expected);
}

}  // namespace
}  // namespace hvsim
