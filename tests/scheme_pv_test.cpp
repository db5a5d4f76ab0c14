// Xen PV direct paging and PiBooster: one-dimensional walks of machine-frame tables; one
// mmu_update per guest page-table write (batched into multicalls if asked); validation and pin
// of every new page-table page; IOTLB flushes on type changes unless PiBooster splits validation.
#include <gtest/gtest.h>

#include "common/error.h"
#include "hv/pv_paging.h"
#include "test_support.h"

namespace hvsim {
namespace {

using test::run_workload;
using test::stats_of;

uint64_t detail(const SchemeStats& s, const char* key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? ~0ull : static_cast<uint64_t>(it->second);
}

}  // namespace

TEST(Pv, OneHypercallPerPageTableUpdate) {
  auto r = run_workload("gups", load_profile("bare"), "pv", 1ull << 30, 100'000);
  const SchemeStats& s = stats_of(r, "pv");
  ASSERT_GT(s.guest_faults, 10'000u);
  EXPECT_EQ(s.walk_mem_refs, 4 * s.walks);
  // Each fault writes its leaf, and each new table page one pointer to it in its parent (the
  // root has none): counted from the guest's own tables, not from the scheme.
  const uint64_t table_pages = r.guest_table_pages;
  EXPECT_EQ(detail(s, "mmu_updates"), s.guest_faults + table_pages - 1);
  EXPECT_EQ(detail(s, "update_hypercalls"), detail(s, "mmu_updates"));
  EXPECT_EQ(detail(s, "pins"), table_pages);
  EXPECT_EQ(s.hypercalls, detail(s, "mmu_updates") + table_pages);
  EXPECT_EQ(s.vm_exits, 0u);                  // PV guests trap into Xen, they do not exit
  EXPECT_EQ(detail(s, "iotlb_flushes"), 0u);  // no IOMMU in bare
}

TEST(Pv, MulticallBatchingIssuesFewerHypercalls) {
  Profile p = load_profile("bare");
  apply_setting(p, "pv.multicall_batch=32");
  auto r = run_workload("gups", p, "pv", 1ull << 30, 100'000);
  const SchemeStats& s = stats_of(r, "pv");
  // A fault writes at most four entries: one multicall each.
  EXPECT_EQ(detail(s, "update_hypercalls"), s.guest_faults);
  EXPECT_LT(detail(s, "update_hypercalls"), detail(s, "mmu_updates"));
  apply_setting(p, "pv.multicall_batch=2");
  auto r2 = run_workload("gups", p, "pv", 1ull << 30, 100'000);
  const SchemeStats& s2 = stats_of(r2, "pv");
  EXPECT_GT(detail(s2, "update_hypercalls"), detail(s, "update_hypercalls"));
  EXPECT_LT(detail(s2, "update_hypercalls"), detail(s2, "mmu_updates"));
}

TEST(Pv, IommuTypeChangesFlushTheIotlbUnlessPiBoosterSplitsValidation) {
  Profile p = load_profile("bare");
  apply_setting(p, "pv.iommu=true");
  auto r = run_workload("gups", p, "pv,pv-pibooster", 1ull << 30, 100'000);
  const SchemeStats& pv = stats_of(r, "pv");
  const SchemeStats& pib = stats_of(r, "pv-pibooster");
  EXPECT_EQ(detail(pv, "iotlb_flushes"), r.guest_table_pages);
  EXPECT_EQ(detail(pv, "iommu_updates"), r.guest_table_pages);
  EXPECT_EQ(detail(pib, "iotlb_flushes"), 0u);
  EXPECT_EQ(detail(pib, "iommu_updates"), 0u);
  // An empty cache: every allocation is still validated and pinned.
  EXPECT_EQ(detail(pib, "pins"), r.guest_table_pages);
  EXPECT_EQ(detail(pib, "cache_misses"), r.guest_table_pages);
  EXPECT_EQ(pib.hypercalls, pv.hypercalls);
  EXPECT_LT(pib.hypervisor_cycles, pv.hypervisor_cycles);
}

TEST(Pv, PiBoosterCacheHitsSkipValidationAndPin) {
  Profile p = load_profile("bare");
  apply_setting(p, "pv-pibooster.prefill_pages=100000");
  auto r = run_workload("gups", p, "pv,pv-pibooster", 1ull << 30, 100'000);
  const SchemeStats& pib = stats_of(r, "pv-pibooster");
  EXPECT_EQ(detail(pib, "cache_hits"), r.guest_table_pages);
  EXPECT_EQ(detail(pib, "pins"), 0u);
  EXPECT_EQ(pib.hypercalls, detail(pib, "mmu_updates"));
  EXPECT_EQ(stats_of(r, "pv").hypercalls, pib.hypercalls + r.guest_table_pages);
}

TEST(PvPaging, FreesFillThePiBoosterCacheAndAllocationsDrainIt) {
  PvCosts c;
  c.validate_page_cycles = 2000;
  c.unpin_cycles = 1500;
  c.iommu = true;
  CostTable costs;
  costs[Cost::kHypercall] = 1000;
  costs[Cost::kIommuMap] = 300;
  costs[Cost::kIotlbFlush] = 700;
  PvPaging base(c);
  SchemeStats sb;
  for (int i = 0; i < 3; ++i) base.table_freed(sb);
  EXPECT_EQ(base.counters.unpins, 3u);
  EXPECT_EQ(base.counters.iotlb_flushes, 3u);
  EXPECT_EQ(sb.hypercalls, 3u);
  sb.price(costs);
  EXPECT_EQ(sb.hypervisor_cycles, 3u * (1000 + 1500 + 300 + 700));

  c.pibooster = true;
  c.cache_pages = 2;
  PvPaging pib(c);
  SchemeStats s;
  for (int i = 0; i < 3; ++i) pib.table_freed(s);  // two kept validated, one unpinned
  EXPECT_EQ(pib.counters.cache_puts, 2u);
  EXPECT_EQ(pib.counters.unpins, 1u);
  EXPECT_EQ(pib.cached_pages(), 2u);
  for (int i = 0; i < 3; ++i) pib.table_allocated(s);  // two served from the cache, one pinned
  EXPECT_EQ(pib.counters.cache_hits, 2u);
  EXPECT_EQ(pib.counters.pins, 1u);
  EXPECT_EQ(pib.counters.iotlb_flushes, 0u);
  EXPECT_EQ(s.hypercalls, 2u);
  s.price(costs);
  EXPECT_EQ(s.hypervisor_cycles, 1000u + 1500 + 1000 + 2000);
}

TEST(Pv, UnknownKeysAreRejected) {
  Profile p = load_profile("bare");
  EXPECT_THROW(apply_setting(p, "pv.multicall=4"), InputError);
}

}  // namespace hvsim
