// Host layout, the host index against a linear scan, and placement policies on hand-made traces
// whose answers are worked out in the comments.
#include <gtest/gtest.h>

#include "cluster/cluster.h"
#include "cluster/replay.h"
#include "common/random.h"

namespace hvsim {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

// 1 GiB granules and no reserved memory: units are GiB, easy to work out by hand.
ClusterConfig plain_config() {
  ClusterConfig c;
  c.granule = kGiB;
  c.hypervisor_memory = 0;
  c.pci_hole = 0;
  return c;
}

std::vector<HostSpec> hosts_gib(std::initializer_list<uint64_t> gib) {
  std::vector<HostSpec> out;
  for (uint64_t g : gib) out.push_back({g * 1024, 0, 0});
  return out;
}

VmRequest vm_gib(uint64_t g) { return {g * 1024, 0, 0, 0, -1}; }

TEST(ClusterHost, ReservedRegionsPinnedPagesAndPool) {
  ClusterConfig c = plain_config();
  c.hypervisor_memory = kGiB;
  c.pci_hole = kGiB;  // 8 GiB of RAM span 9 GiB: unit 3 (3..4 GiB) is the hole
  Host h = make_host({8 * 1024, 0, 0}, c, AllocatorKind::kFirstFit, 0);
  EXPECT_EQ(h.alloc->total_units(), 9u);
  EXPECT_EQ(h.usable_units, 7u);
  EXPECT_EQ(h.alloc->largest_allocatable(), 5u);  // units 4..8
  c.unmovable_spacing = 2 * kGiB;                 // pins at 2, 4, 6, 8 GiB
  h = make_host({8 * 1024, 0, 0}, c, AllocatorKind::kFirstFit, 0);
  EXPECT_EQ(h.pinned_units, 4u);
  EXPECT_EQ(h.usable_units, 3u);  // units 1, 5, 7
  EXPECT_EQ(h.alloc->largest_allocatable(), 1u);
  c.pool = 4 * kGiB;  // units 5..8 stay clean: only the pins at 2 and 4 remain
  h = make_host({8 * 1024, 0, 0}, c, AllocatorKind::kFirstFit, 0);
  EXPECT_EQ(h.pinned_units, 2u);
  EXPECT_EQ(h.alloc->largest_allocatable(), 4u);
}

TEST(ClusterHost, RandomPinsAtTheRequestedDensity) {
  ClusterConfig c;  // 2 MiB granules
  c.unmovable_per_gib = 4;
  Host h = make_host({256 * 1024, 0, 0}, c, AllocatorKind::kBestFit, 3);
  // 257 GiB below the pool (256 GiB RAM + the 1 GiB hole) x 4, less the few that land on the
  // reserved bottom and hole or twice on one granule.
  EXPECT_LE(h.pinned_units, 1028u);
  EXPECT_GE(h.pinned_units, 1000u);
  EXPECT_LT(h.alloc->largest_allocatable(), 2048u);  // no free GiB-sized run of 4 GiB survives
}

TEST(ClusterIndex, AgreesWithALinearScan) {
  std::vector<Host> hosts;
  ClusterConfig c = plain_config();
  c.granule = uint64_t{1} << 20;
  Rng rng(5);
  for (int i = 0; i < 37; ++i)
    hosts.push_back(make_host({64 + rng.below(200), 0, 0}, c, AllocatorKind::kFirstFit, i));
  HostIndex index(hosts);
  std::vector<std::vector<Extent>> taken(hosts.size());
  for (int step = 0; step < 3000; ++step) {
    const auto h = static_cast<uint32_t>(rng.below(hosts.size()));
    const Extent e{rng.below(hosts[h].alloc->total_units()), 1 + rng.below(16)};
    if (hosts[h].alloc->take(e)) {
      taken[h].push_back(e);
    } else if (!taken[h].empty()) {
      hosts[h].alloc->release(taken[h].back());
      taken[h].pop_back();
    }
    index.update(h);
    const uint64_t need = rng.below(120);
    const auto from = static_cast<uint32_t>(rng.below(hosts.size()));
    auto odd = [](uint32_t id) { return id % 3 != 1; };
    for (HostKey key : {HostKey::kFree, HostKey::kHole}) {
      auto value = [&](uint32_t i) {
        return key == HostKey::kFree ? hosts[i].alloc->free_units() : hosts[i].alloc->largest_allocatable();
      };
      int64_t first = -1, tight = -1, empty = -1;
      for (uint32_t i = 0; i < hosts.size(); ++i) {
        if (value(i) < need || !odd(i)) continue;
        if (first < 0 && i >= from) first = i;
        if (tight < 0 || value(i) < value(tight)) tight = i;
        if (empty < 0 || value(i) >= value(empty)) empty = i;  // ties: the highest id, as the set orders
      }
      ASSERT_EQ(index.first_from(key, need, from, odd), first);
      ASSERT_EQ(index.tightest(key, need, odd), tight);
      ASSERT_EQ(index.emptiest(key, need, odd), empty);
    }
  }
}

TEST(ClusterPolicy, PackingTightestSpreading) {
  // Hosts of 8, 6 and 16 GiB; VMs of 4, 4, 5 GiB arriving and staying.
  auto run = [](const char* policy) {
    Cluster c(hosts_gib({8, 6, 16}), plain_config(), AllocatorKind::kFirstFit, parse_policy(policy));
    std::vector<int> got;
    for (uint32_t i = 0; i < 3; ++i) {
      c.arrive(i, vm_gib(i == 2 ? 5 : 4));
      got.push_back(c.placement(i).host);
    }
    return got;
  };
  EXPECT_EQ(run("packing"), (std::vector<int>{0, 0, 1}));  // first host with room: 8, 8-4=4, then 6 for the 5
  EXPECT_EQ(run("tightest"),
            (std::vector<int>{1, 0, 2}));  // 6 fits 4 tightest; then 8 (2 left on 6); 5 only on 16
  // 16 then 12 are the most; then hosts 0 and 2 both have 8: ties go to the highest id.
  EXPECT_EQ(run("spreading"), (std::vector<int>{2, 2, 2}));
}

TEST(ClusterPolicy, SegmentAwareAvoidsSplittingAndRefusalFails) {
  // Host 0 (8 GiB) gets 2+2+2 at 0, 2, 4; host 1 (8 GiB) 3 at 0. The middle 2 leaves: host 0 has
  // holes [2,4) and [6,8) (4 free), host 1 one hole [3,8) (5 free). A 4 GiB VM:
  for (const char* policy : {"packing", "packing-seg"}) {
    for (SplitOrder split : {SplitOrder::kLargestFirst, SplitOrder::kRefuse}) {
      ClusterConfig cfg = plain_config();
      cfg.split = split;
      Cluster c(hosts_gib({8, 8}), cfg, AllocatorKind::kFirstFit, parse_policy(policy));
      for (uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(c.arrive(i, vm_gib(2)));
      ASSERT_TRUE(c.arrive(3, vm_gib(3)));
      EXPECT_EQ(c.placement(3).host, 1);
      c.depart(1);
      const bool ok = c.arrive(4, vm_gib(4));
      if (std::string(policy) == "packing-seg") {
        // The one hole of 5 on host 1 holds it whole.
        ASSERT_TRUE(ok);
        EXPECT_EQ(c.placement(4).host, 1);
        EXPECT_EQ(c.placement(4).segments, (std::vector<Extent>{{3, 4}}));
      } else if (split == SplitOrder::kLargestFirst) {
        // Packing sees 4 free on host 0 and splits: equal holes, the higher one first.
        ASSERT_TRUE(ok);
        EXPECT_EQ(c.placement(4).host, 0);
        EXPECT_EQ(c.placement(4).segments, (std::vector<Extent>{{6, 2}, {2, 2}}));
        EXPECT_EQ(c.counts().segments_per_vm[2], 1u);
      } else {
        EXPECT_FALSE(ok);
        EXPECT_EQ(c.counts().failed[static_cast<int>(FailReason::kFragmented)], 1u);
      }
    }
  }
}

TEST(ClusterPolicy, BeyondTheSegmentBudgetTheRestIsPaged) {
  // As above with one segment register: packing still places the 4 GiB VM in host 0's two
  // holes, counted over budget (its second extent is paged).
  ClusterConfig cfg = plain_config();
  cfg.segments = 1;
  Cluster c(hosts_gib({8, 8}), cfg, AllocatorKind::kFirstFit, parse_policy("packing"));
  for (uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(c.arrive(i, vm_gib(2)));
  ASSERT_TRUE(c.arrive(3, vm_gib(3)));
  c.depart(1);
  ASSERT_TRUE(c.arrive(4, vm_gib(4)));
  EXPECT_EQ(c.placement(4).segments, (std::vector<Extent>{{6, 2}, {2, 2}}));
  EXPECT_EQ(c.counts().over_budget, 1u);
  EXPECT_EQ(c.counts().segments_per_vm, (std::vector<uint64_t>{0, 4, 1}));
  EXPECT_EQ(c.counts().single_segment, 4u);
}

TEST(ClusterPolicy, OneMigrationOpensAHole) {
  // Host 0 (10 GiB): 4 at 0, 2 at 4, 4 at 6; host 1 (4 GiB) empty... filled by nothing. The two
  // 4s leave: host 0 has holes [0,4) and [6,10) around the 2. A 6 GiB VM fits no hole; moving
  // the 2 GiB VM to host 1 opens [0,10) on host 0.
  for (const char* policy : {"packing-seg", "packing-migrate"}) {
    Cluster c(hosts_gib({10, 4}), plain_config(), AllocatorKind::kFirstFit, parse_policy(policy));
    ASSERT_TRUE(c.arrive(0, vm_gib(4)));
    ASSERT_TRUE(c.arrive(1, vm_gib(2)));
    ASSERT_TRUE(c.arrive(2, vm_gib(4)));
    ASSERT_EQ(c.placement(2).host, 0);
    c.depart(0);
    c.depart(2);
    ASSERT_TRUE(c.arrive(3, vm_gib(6)));
    EXPECT_EQ(c.placement(3).host, 0);
    if (std::string(policy) == "packing-migrate") {
      EXPECT_EQ(c.counts().migrations, 1u);
      EXPECT_EQ(c.placement(1).host, 1);
      EXPECT_EQ(c.placement(1).segments, (std::vector<Extent>{{0, 2}}));
      EXPECT_EQ(c.placement(3).segments, (std::vector<Extent>{{0, 6}}));
    } else {
      EXPECT_EQ(c.counts().migrations, 0u);
      EXPECT_EQ(c.placement(3).segments, (std::vector<Extent>{{6, 4}, {0, 2}}));
    }
  }
}

TEST(ClusterPolicy, TooLargeAndNoCapacityAreCountedFailures) {
  Cluster c(hosts_gib({8, 8}), plain_config(), AllocatorKind::kBestFit, parse_policy("tightest"));
  EXPECT_FALSE(c.arrive(0, vm_gib(9)));
  EXPECT_TRUE(c.arrive(1, vm_gib(8)));
  EXPECT_TRUE(c.arrive(2, vm_gib(8)));
  EXPECT_FALSE(c.arrive(3, vm_gib(1)));
  EXPECT_EQ(c.counts().failed[static_cast<int>(FailReason::kTooLarge)], 1u);
  EXPECT_EQ(c.counts().failed[static_cast<int>(FailReason::kNoCapacity)], 1u);
  EXPECT_EQ(c.counts().placed, 2u);
  EXPECT_DOUBLE_EQ(c.load(), 1.0);
}

TEST(ClusterPolicy, CpuAndGpuCapacitiesAreHonoured) {
  std::vector<HostSpec> hosts = {{8 * 1024, 4000, 0}, {8 * 1024, 8000, 2000}};
  Cluster c(hosts, plain_config(), AllocatorKind::kFirstFit, parse_policy("packing"));
  ASSERT_TRUE(c.arrive(0, {1024, 3000, 0, 0, -1}));
  ASSERT_TRUE(c.arrive(1, {1024, 3000, 0, 0, -1}));  // host 0 has 1000 mCPU left
  EXPECT_EQ(c.placement(1).host, 1);
  ASSERT_TRUE(c.arrive(2, {1024, 100, 500, 0, -1}));  // GPUs only on host 1
  EXPECT_EQ(c.placement(2).host, 1);
  EXPECT_FALSE(c.arrive(3, {1024, 100, 3000, 0, -1}));
  EXPECT_EQ(c.counts().failed[static_cast<int>(FailReason::kTooLarge)], 1u);
}

TEST(ClusterReplay, DeparturesBeforeArrivalsAndSamples) {
  // One 8 GiB host; VMs of 8 GiB over [0,10), [10,20), [5,15): the second can reuse the first's
  // memory at t=10 (departure first), the third never finds room.
  VmTrace t;
  t.vms = {{8192, 0, 0, 0, 10}, {8192, 0, 0, 10, 20}, {8192, 0, 0, 5, 15}};
  ClusterConfig cfg = plain_config();
  cfg.samples = 4;
  ReplayOptions o;
  o.keep_segments = true;
  ReplayResult r = replay(t, hosts_gib({8}), cfg, AllocatorKind::kFirstFit, parse_policy("packing"), o);
  EXPECT_EQ(r.counts.placed, 2u);
  EXPECT_EQ(r.counts.failed[static_cast<int>(FailReason::kNoCapacity)], 1u);
  ASSERT_EQ(r.samples.size(), 4u);  // at 5, 10, 15, 20
  EXPECT_DOUBLE_EQ(r.samples[0].time, 5);
  EXPECT_DOUBLE_EQ(r.samples[0].load, 1.0);
  EXPECT_DOUBLE_EQ(r.samples[3].load, 0.0);
  EXPECT_DOUBLE_EQ(r.mean_load, 1.0);  // busy the whole 20 s
  EXPECT_EQ(r.outcomes[2].host, -1);
  EXPECT_EQ(r.outcomes[1].segments, (std::vector<Extent>{{0, 8}}));
  o.mode = ReplayMode::kArrival;  // nobody leaves: only the first fits
  r = replay(t, hosts_gib({8}), cfg, AllocatorKind::kFirstFit, parse_policy("packing"), o);
  EXPECT_EQ(r.counts.placed, 1u);
}

TEST(ClusterReplay, SteadyStateReachesItsOfferedLoadOnAnEasyTrace) {
  // 1 GiB VMs living 100 s on 100 hosts of 64 GiB: offered 50% is always placeable.
  VmTrace t;
  t.vms = {{1024, 0, 0, 0, 100}};
  std::vector<HostSpec> hosts(100, {64 * 1024, 0, 0});
  ReplayOptions o;
  o.mode = ReplayMode::kSteady;
  o.target_load = 0.5;
  o.steady_vms = 40000;
  ReplayResult r = replay(t, hosts, plain_config(), AllocatorKind::kBestFit, parse_policy("tightest"), o);
  EXPECT_EQ(r.counts.placed, 40000u);
  EXPECT_NEAR(r.mean_load, 0.5, 0.03);
}

}  // namespace
}  // namespace hvsim
