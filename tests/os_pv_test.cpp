// Xen PV and PiBooster under OS events: one mmu_update per guest page-table write on fork and
// munmap (queued in lazy-MMU multicalls), plain stores on exit after the pgd is unpinned, one
// pin per table page allocated and one unpin per table page freed, IOTLB flushes on every type
// change unless PiBooster splits validation, and PiBooster's cache serving a fork/exit loop.
#include <gtest/gtest.h>

#include "machine/machine.h"
#include "test_support.h"
#include "workload/generators/scripted_source.h"

namespace hvsim {
namespace {

using test::load;
using test::run_events;
using test::store;

constexpr uint64_t kBase = 0x7f00'0000'0000ull;  // 1 GiB aligned: 512 pages fill one last-level table

uint64_t detail(const SchemeStats& s, const char* key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? ~0ull : static_cast<uint64_t>(it->second);
}

Profile iommu_profile() {
  Profile p = load_profile("bare");
  apply_setting(p, "pv.iommu=true");
  return p;
}

// A parent mapping one full last-level table (512 pages, 4 table pages with the root).
std::vector<Event> parent_with_one_table() {
  std::vector<Event> ev = {os_event(EventKind::kMmap, 1, kBase, 2ull << 20)};
  for (uint64_t i = 0; i < 512; ++i) ev.push_back(store(kBase + i * 4096));
  return ev;
}

}  // namespace

TEST(PvOs, ForkAndExitCountedByHand) {
  auto ev = parent_with_one_table();
  ev.push_back(os_event(EventKind::kProcessCreate, 1, 0, 2));
  ev.push_back(os_event(EventKind::kProcessExit, 2));
  auto r = run_events(ev, iommu_profile(), "pv,pv-pibooster");
  const SchemeStats& pv = test::stats_of(r, "pv");
  // Faults: 4 entries for the first (root to leaf), 1 for each of the other 511; one hypercall
  // each (multicall_batch = 1). Fork: 512 parent leaves write-protected, the child's 3 pointers
  // and 512 leaves, and one TLB flush of the parent, in multicalls of 32. Exit: plain stores.
  EXPECT_EQ(detail(pv, "mmu_updates"), 515u + 512 + 515);
  EXPECT_EQ(detail(pv, "mmuext_ops"), 1u);
  EXPECT_EQ(detail(pv, "update_hypercalls"), 515u + (1027 + 1 + 31) / 32);
  EXPECT_EQ(detail(pv, "pins"), 8u);    // the parent's 4 table pages, the child's 4
  EXPECT_EQ(detail(pv, "unpins"), 4u);  // the child's, on exit
  EXPECT_EQ(detail(pv, "pgd_unpins"), 1u);
  EXPECT_EQ(pv.hypercalls, 515u + 33 + 8 + 1);
  EXPECT_EQ(pv.iotlb_flushes, 12u);  // every type change, to and from page table
  EXPECT_EQ(detail(pv, "iotlb_flushes"), 12u);

  const SchemeStats& pib = test::stats_of(r, "pv-pibooster");
  EXPECT_EQ(detail(pib, "mmu_updates"), detail(pv, "mmu_updates"));
  EXPECT_EQ(detail(pib, "cache_misses"), 8u);  // the cache starts empty
  EXPECT_EQ(detail(pib, "cache_puts"), 4u);    // the child's pages stay validated
  EXPECT_EQ(detail(pib, "unpins"), 0u);
  EXPECT_EQ(detail(pib, "pgd_unpins"), 0u);  // nothing left to unpin
  EXPECT_EQ(pib.hypercalls, 515u + 33 + 8);
  EXPECT_EQ(pib.iotlb_flushes, 0u);
  EXPECT_LT(pib.pt_alloc_cycles, pv.pt_alloc_cycles);
  // The guest's own part is the same on both: the difference is Xen's (un)pinning and the IOMMU.
  const Profile p = iommu_profile();
  const uint64_t guest_part = uint64_t{8} * p.costs[Cost::kPtPageAlloc] + 4 * p.costs[Cost::kPtPageFree];
  EXPECT_EQ(pib.pt_alloc_cycles, guest_part + 8 * (p.costs[Cost::kHypercall] + 2000));  // 8 pins, validated
  EXPECT_EQ(pv.pt_alloc_cycles, pib.pt_alloc_cycles +
                                    8 * (p.costs[Cost::kIommuMap] + p.costs[Cost::kIotlbFlush]) +
                                    p.costs[Cost::kHypercall] +
                                    4 * (2000 + p.costs[Cost::kIommuMap] + p.costs[Cost::kIotlbFlush]));
}

TEST(PvOs, MunmapIssuesOneUpdatePerClearedEntryAndUnpinsTheFreedTable) {
  auto ev = parent_with_one_table();
  ev.push_back(os_event(EventKind::kMunmap, 1, kBase, 2ull << 20));
  Profile p = iommu_profile();
  auto r = run_events(ev, p, "pv");
  const SchemeStats& s = test::stats_of(r, "pv");
  // 512 leaves and the pointer to the emptied table cleared, one flush (more than 33 pages).
  EXPECT_EQ(detail(s, "mmu_updates"), 515u + 513);
  EXPECT_EQ(detail(s, "mmuext_ops"), 1u);
  EXPECT_EQ(detail(s, "update_hypercalls"), 515u + (514 + 31) / 32);
  EXPECT_EQ(detail(s, "unpins"), 1u);
  EXPECT_EQ(detail(s, "pgd_unpins"), 0u);
  EXPECT_EQ(s.hypercalls, 515u + 17 + 4 + 1);
  // Unbatched, every request is a hypercall of its own.
  apply_setting(p, "pv.lazy_mmu_batch=1");
  auto r1 = run_events(ev, p, "pv");
  EXPECT_EQ(detail(test::stats_of(r1, "pv"), "update_hypercalls"), 515u + 514);
  EXPECT_EQ(detail(test::stats_of(r1, "pv"), "mmu_updates"), 515u + 513);
}

// Every OS event kind, against what the guest's own tables recorded: requests equal writes
// (except a teardown's), pins equal table pages allocated, unpins equal table pages freed.
TEST(PvOs, RequestsPinsAndUnpinsMatchTheGuestsTableWork) {
  std::vector<Event> ev = {os_event(EventKind::kMmap, 1, kBase, 64ull << 20)};
  for (uint64_t i = 0; i < 3000; ++i) ev.push_back(store(kBase + i * 8192));
  for (uint32_t child = 2; child < 6; ++child) {
    ev.push_back(os_event(EventKind::kProcessCreate, 1, 0, child));
    ev.push_back(os_event(EventKind::kContextSwitch, child));
    for (uint64_t i = 0; i < 20; ++i) ev.push_back(store(kBase + i * 3 * 8192, child));  // copy-on-write
    ev.push_back(os_event(EventKind::kMprotect, child, kBase, 1 << 20, 0));
    ev.push_back(os_event(EventKind::kMadviseDontneed, child, kBase + (4 << 20), 1 << 20));
    ev.push_back(os_event(EventKind::kTlbShootdown, child, kBase + (8 << 20), 16 << 12));
    if (child == 3) ev.push_back(os_event(EventKind::kExec, child));
    ev.push_back(os_event(EventKind::kMmap, child, kBase + (80ull << 20), 4 << 20));
    for (uint64_t i = 0; i < 100; ++i) ev.push_back(store(kBase + (80ull << 20) + i * 4096, child));
    ev.push_back(os_event(EventKind::kMunmap, child, kBase + (80ull << 20), 4 << 20));
    ev.push_back(os_event(EventKind::kProcessExit, child));
    ev.push_back(os_event(EventKind::kContextSwitch, 1));
    ev.push_back(store(kBase + child * 8192));
  }
  ev.push_back(os_event(EventKind::kDmaMap, 1, kBase, 4096));
  ev.push_back(os_event(EventKind::kDmaUnmap, 1, kBase, 4096));

  // Replay on a machine of its own and count from the guest's effects.
  Profile p = iommu_profile();
  Machine m(p, MachineSizing::for_footprint(p, 1ull << 30));
  BatchEffects fx;
  uint64_t updates = 0, ext = 0, calls = 0, allocated = 0, freed = 0, teardowns = 0, torn_pages = 0;
  std::span<const Event> rest(ev);
  while (!rest.empty()) {
    size_t n = m.prepare(rest, fx);
    for (const EventEffect& e : fx.effects) {
      const Event& x = rest[e.event_index];
      allocated += e.tables_allocated.count;
      freed += e.tables_freed.count;
      if (e.space.gone()) {
        teardowns += e.tables_freed.count ? 1 : 0;
        torn_pages += e.tables_freed.count;
        continue;
      }
      const uint64_t w = e.writes.count, x_ops = e.invalidations.count + (e.flush_pcid ? 1 : 0);
      updates += w;
      ext += x_ops;
      calls += is_access(x.kind) ? w + x_ops : (w + x_ops + 31) / 32;
    }
    rest = rest.subspan(n);
  }
  ASSERT_GT(ext, 0u);
  auto r = run_events(ev, p, "pv");
  const SchemeStats& s = test::stats_of(r, "pv");
  EXPECT_EQ(detail(s, "mmu_updates"), updates);
  EXPECT_EQ(detail(s, "mmuext_ops"), ext);
  EXPECT_EQ(detail(s, "update_hypercalls"), calls);
  EXPECT_EQ(detail(s, "pins"), allocated);
  EXPECT_EQ(detail(s, "unpins"), freed);
  EXPECT_EQ(detail(s, "pgd_unpins"), teardowns);
  EXPECT_EQ(detail(s, "dma_validations"), 2u);
  EXPECT_EQ(detail(s, "iommu_updates"), allocated + freed + 2);  // type changes and the DMA pair
  EXPECT_EQ(s.iotlb_flushes, allocated + freed);
  // Hypercalls: the update multicalls, a pin per allocated page, an unpin per page freed by
  // munmap, one pgd unpin per teardown, CR3 loads and the two DMA validations.
  EXPECT_EQ(s.hypercalls,
            calls + allocated + (freed - torn_pages) + teardowns + detail(s, "base_switches") + 2);
  EXPECT_EQ(r.verified_accesses, 3000u + 4 * 121);
}

// A fork/exit loop of a parent with 4 table pages: each child allocates 4 and frees them on
// exit. With PiBooster only the parent's and the first child's allocations miss the cache.
TEST(PvOs, PiBoosterCacheServesAForkExitLoop) {
  auto ev = parent_with_one_table();
  constexpr uint32_t kRounds = 50;
  for (uint32_t child = 2; child < 2 + kRounds; ++child) {
    ev.push_back(os_event(EventKind::kProcessCreate, 1, 0, child));
    ev.push_back(os_event(EventKind::kContextSwitch, child));
    ev.push_back(store(kBase + child * 4096, child));
    ev.push_back(os_event(EventKind::kProcessExit, child));
    ev.push_back(os_event(EventKind::kContextSwitch, 1));
  }
  auto r = run_events(ev, iommu_profile(), "pv,pv-pibooster");
  const SchemeStats& pv = test::stats_of(r, "pv");
  const SchemeStats& pib = test::stats_of(r, "pv-pibooster");
  EXPECT_EQ(detail(pv, "pins"), 4u + 4 * kRounds);
  EXPECT_EQ(detail(pv, "unpins"), 4u * kRounds);
  EXPECT_EQ(pv.iotlb_flushes, 4u + 8 * kRounds);
  EXPECT_EQ(detail(pib, "cache_misses"), 8u);
  EXPECT_EQ(detail(pib, "cache_hits"), 4u * (kRounds - 1));
  EXPECT_EQ(detail(pib, "pins"), 8u);
  EXPECT_EQ(detail(pib, "unpins"), 0u);
  EXPECT_EQ(detail(pib, "cache_pages_held"), 4u);
  EXPECT_EQ(pib.iotlb_flushes, 0u);
  // The same requests otherwise: pv's extra hypercalls are its pins and pgd unpins.
  EXPECT_EQ(detail(pib, "mmu_updates"), detail(pv, "mmu_updates"));
  EXPECT_EQ(pv.hypercalls - pib.hypercalls, 4u * (kRounds - 1) + kRounds);
}

// The fork-exit workload on the default profile (IOMMU on): PiBooster lowers page-table
// (de)allocation cycles and process create+exit latency, and flushes no IOTLB entry.
TEST(PvOs, PiBoosterLowersCreateExitLatencyOnForkExit) {
  for (const char* exec : {"false", "true"}) {
    Profile p = load_profile("default");
    WorkloadParams wp;
    wp.footprint = 64ull << 20;
    wp.accesses = 40'000;
    wp.seed = 1;
    wp.options["exec"] = exec;
    wp.options["size"] = "2MiB";
    auto source = WorkloadRegistry::instance().find("fork-exit")->factory(wp);
    ExperimentOptions opt;
    opt.schemes = resolve_schemes("pv,pv-pibooster");
    opt.verify = true;
    opt.footprint_hint = wp.footprint;
    opt.threads = 2;
    RunReport r = run_experiment(*source, p, opt);
    const SchemeStats& pv = test::stats_of(r, "pv");
    const SchemeStats& pib = test::stats_of(r, "pv-pibooster");
    auto create_exit = [](const SchemeStats& s) {
      const auto& e = s.events;
      uint64_t c = e[static_cast<size_t>(EventKind::kProcessCreate)].cycles +
                   e[static_cast<size_t>(EventKind::kProcessExit)].cycles +
                   e[static_cast<size_t>(EventKind::kExec)].cycles;
      return static_cast<double>(c) / e[static_cast<size_t>(EventKind::kProcessCreate)].count;
    };
    const uint64_t forks = pv.events[static_cast<size_t>(EventKind::kProcessCreate)].count;
    ASSERT_GT(forks, 100u) << exec;
    EXPECT_LT(pib.pt_alloc_cycles, pv.pt_alloc_cycles) << exec;
    EXPECT_LT(create_exit(pib), create_exit(pv)) << exec;
    EXPECT_EQ(pib.iotlb_flushes, 0u) << exec;
    EXPECT_EQ(pv.iotlb_flushes, detail(pv, "pins") + detail(pv, "unpins")) << exec;
    EXPECT_GT(pv.iotlb_flushes, 4 * forks) << exec;  // several table pages per process, both ways
    const double hits = static_cast<double>(detail(pib, "cache_hits"));
    EXPECT_GT(hits / (hits + detail(pib, "cache_misses")), 0.99) << exec;
    EXPECT_EQ(detail(pib, "cache_hits") + detail(pib, "cache_misses"), detail(pv, "pins")) << exec;
  }
}

}  // namespace hvsim
