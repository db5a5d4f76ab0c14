// Direct segments: the machine layout they need (host segments backing guest memory, guest
// direct segments for the primary region) and the three schemes built on it. References are
// exact with the `bare` profile; every run also checks each access against the reference.
#include <gtest/gtest.h>

#include <set>

#include "common/error.h"
#include "test_support.h"

namespace hvsim {
namespace {

using test::run_workload;
using test::stats_of;

Profile segmented(const char* base = "bare") {
  Profile p = load_profile(base);
  apply_setting(p, "host.backing=segments");
  apply_setting(p, "guest.direct_segment=true");
  return p;
}

double detail(const SchemeStats& s, const char* key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? -1.0 : it->second;
}

Event mmap_event(uint64_t start, uint64_t length, uint32_t pid = 0) {
  Event e;
  e.kind = EventKind::kMmap;
  e.addr = start;
  e.arg = length;
  e.pid = pid;
  return e;
}

}  // namespace

TEST(SegmentLayout, OffByDefaultInBare) {
  Profile p = load_profile("bare");
  Machine m(p, MachineSizing{4 * kGiB, 16 * kGiB});
  EXPECT_TRUE(m.hypervisor().segments().empty());
  std::vector<Event> ev = {mmap_event(kWorkloadHeapBase, kGiB)};
  BatchEffects fx;
  m.prepare(ev, fx);
  EXPECT_EQ(m.guest().direct_segment(0), nullptr);
}

TEST(SegmentLayout, HostSegmentsCoverGuestMemoryAndBackTheEpt) {
  Profile p = segmented();
  apply_setting(p, "host.segments=3");
  Machine m(p, MachineSizing{6 * kGiB, 32 * kGiB});
  const auto& segs = m.hypervisor().segments();
  ASSERT_EQ(segs.size(), 3u);
  uint64_t next = 0;
  for (const HostSegment& s : segs) {
    EXPECT_EQ(s.guest_base, next);
    EXPECT_EQ(s.bytes, 2 * kGiB);
    next += s.bytes;
  }
  // Separate host ranges: each segment has its own offset.
  EXPECT_NE(segs[0].host_base - segs[0].guest_base, segs[1].host_base - segs[1].guest_base);
  EXPECT_NE(segs[1].host_base - segs[1].guest_base, segs[2].host_base - segs[2].guest_base);
  // Backing a page inside a segment maps it at the segment's address, without an EPT violation.
  for (uint64_t gpa : {uint64_t{0x1234000}, 2 * kGiB + 0x5000, 6 * kGiB - 4096}) {
    PopulateEffect fx = m.hypervisor().populate(GuestPhysAddr(gpa), 4096);
    EXPECT_EQ(fx.pages, 0);
    auto h = m.hypervisor().ept().translate(GuestPhysAddr(gpa));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->addr.value, m.hypervisor().segment_of(gpa, 4096)->translate(gpa));
  }
}

TEST(SegmentLayout, MemoryPastTheListedSegmentsIsBackedByPages) {
  Profile p = segmented();
  apply_setting(p, "host.segments=1GiB, 512MiB");
  Machine m(p, MachineSizing{4 * kGiB, 32 * kGiB});
  ASSERT_EQ(m.hypervisor().segments().size(), 2u);
  EXPECT_EQ(m.hypervisor().segments()[1].guest_base, kGiB);
  EXPECT_EQ(m.hypervisor().segment_of(kGiB + 512 * kMiB, 4096), nullptr);
  EXPECT_EQ(m.hypervisor().populate(GuestPhysAddr(kGiB + 600 * kMiB), 4096).pages, 1);
  EXPECT_EQ(m.hypervisor().populate(GuestPhysAddr(kGiB + 100 * kMiB), 4096).pages, 0);
}

TEST(SegmentLayout, BadSegmentKeysAreRejected) {
  Profile p = load_profile("bare");
  EXPECT_THROW(apply_setting(p, "host.backing=stripes"), InputError);
  EXPECT_THROW(apply_setting(p, "host.segments=3MiB"), InputError);
  EXPECT_THROW(apply_setting(p, "host.segments=0"), InputError);
  apply_setting(p, "host.backing=segments");
  apply_setting(p, "host.page_size=1G");
  apply_setting(p, "host.segments=512MiB");
  EXPECT_THROW(Machine(p, MachineSizing{4 * kGiB, 32 * kGiB}), InputError);
}

TEST(SegmentLayout, GuestPrimaryRegionIsContiguousInGuestPhysicalMemory) {
  Profile p = segmented();
  apply_setting(p, "guest.page_size=thp");
  Machine m(p, MachineSizing{4 * kGiB, 32 * kGiB});
  const uint64_t start = kWorkloadHeapBase + 0x3000;  // not 2M-aligned: edges stay 4K
  std::vector<Event> ev = {mmap_event(start, 64 * kMiB), mmap_event(start + kGiB, 4096)};
  for (uint64_t off : {uint64_t{0}, uint64_t{5 * kMiB + 17}, uint64_t{64 * kMiB - 8}, kGiB})
    ev.push_back(Event::access(EventKind::kLoad, start + off, 8));
  BatchEffects fx;
  m.prepare(ev, fx);
  const GuestSegment* seg = m.guest().direct_segment(0);
  ASSERT_NE(seg, nullptr);
  EXPECT_EQ(seg->va_base, start);
  EXPECT_EQ(seg->va_end, start + 64 * kMiB);
  EXPECT_EQ((seg->gpa_base - seg->va_base) % (2 * kMiB), 0u);  // huge pages stay aligned
  for (uint64_t off : {uint64_t{0}, uint64_t{5 * kMiB + 17}, uint64_t{64 * kMiB - 8}}) {
    auto g = m.guest().find_space(0)->table->translate(GuestVirtAddr(start + off));
    ASSERT_TRUE(g);
    EXPECT_EQ(g->addr.value, seg->translate(start + off));
  }
  // Only the first region is the primary one.
  EXPECT_FALSE(seg->contains(start + kGiB));
}

// The figures of the table in docs/schemes.md (same command, same settings).
TEST(SegmentSchemes, BareReferencesPerWalk) {
  auto r = run_workload("gups", segmented(),
                        "native,nested,shadow,vm-segment,dual-segment,guest-segment,tpt,pv,pv-pibooster",
                        1ull << 30, 200'000);
  EXPECT_EQ(r.verified_accesses, 200'000u);
  for (const char* s :
       {"native", "nested", "shadow", "vm-segment", "guest-segment", "tpt", "pv", "pv-pibooster"})
    ASSERT_GT(stats_of(r, s).walks, 50'000u) << s;
  auto exact = [&](const char* s, uint64_t per_walk) {
    EXPECT_EQ(stats_of(r, s).walk_mem_refs, per_walk * stats_of(r, s).walks) << s;
  };
  exact("native", 4);
  exact("nested", 24);
  exact("shadow", 4);
  exact("vm-segment", 4);
  exact("guest-segment", 4);  // host dimension only
  exact("dual-segment", 0);
  exact("tpt", 4);
  exact("pv", 4);
  exact("pv-pibooster", 4);
  const SchemeStats& gs = stats_of(r, "guest-segment");
  EXPECT_EQ(detail(gs, "guest_dimension_refs"), 0.0);
  EXPECT_EQ(detail(gs, "guest_segment_walks"), static_cast<double>(gs.walks));
  // Dual segments: both adds, no walk, and the TLB holds whole-segment-aligned pages.
  const SchemeStats& ds = stats_of(r, "dual-segment");
  EXPECT_EQ(ds.walk_cycles, 0u);
  EXPECT_EQ(detail(ds, "dual_segment_translations"), static_cast<double>(ds.walks));
  EXPECT_LT(ds.tlb_l2_misses, 10u);
}

TEST(SegmentSchemes, VmSegmentMakesNoHostReferenceInsideItsSegment) {
  auto r = run_workload("gups", segmented(), "vm-segment,nested", 1ull << 30, 100'000);
  const SchemeStats& s = stats_of(r, "vm-segment");
  EXPECT_EQ(detail(s, "host_dimension_refs"), 0.0);
  EXPECT_EQ(detail(s, "host_segment_fallbacks"), 0.0);
  EXPECT_EQ(detail(s, "guest_dimension_refs"), static_cast<double>(s.walk_mem_refs));
  // Four guest entries plus the data address, each an add.
  EXPECT_EQ(detail(s, "host_segment_hits"), 5.0 * s.walks);
  EXPECT_EQ(s.vm_exits, 0u);  // the segment was there from VM start
  EXPECT_EQ(stats_of(r, "nested").vm_exits, 0u);
}

TEST(SegmentSchemes, VmSegmentFallsBackToNestedOutsideItsSegments) {
  Profile p = segmented();
  apply_setting(p, "host.segments=128MiB,128MiB");  // guest memory is 3 GiB: most of it paged
  auto r = run_workload("gups", p, "vm-segment,nested", 1ull << 30, 100'000);
  EXPECT_EQ(r.verified_accesses, 100'000u);
  const SchemeStats& s = stats_of(r, "vm-segment");
  EXPECT_GT(detail(s, "host_segment_hits"), 0.0);
  EXPECT_GT(detail(s, "host_segment_fallbacks"), 0.0);
  EXPECT_GT(detail(s, "host_dimension_refs"), 0.0);
  // Each fallback is a 4-reference host walk (no nested TLB in bare).
  EXPECT_EQ(detail(s, "host_dimension_refs"), 4 * detail(s, "host_segment_fallbacks"));
  EXPECT_EQ(s.walk_mem_refs, detail(s, "guest_dimension_refs") + detail(s, "host_dimension_refs"));
  EXPECT_GT(s.walk_mem_refs, 4 * s.walks);
  EXPECT_LT(s.walk_mem_refs, 24 * s.walks);
  EXPECT_GT(s.vm_exits, 0u);  // page-backed memory still takes EPT violations
}

// A scheme carries the layout it needs, whatever the profile says: on `bare` (guest memory backed
// page by page, no guest segments) vm-segment still runs on a VM backed by a host segment and
// walks only the guest's four levels, while nested, native and shadow keep the profile's pages.
TEST(SegmentSchemes, CarryTheirLayoutOnAProfileWithout) {
  auto r = run_workload("gups", load_profile("bare"), "vm-segment,native,nested,shadow", 1ull << 28, 30'000);
  EXPECT_EQ(r.verified_accesses, 30'000u);
  const SchemeStats& vm = stats_of(r, "vm-segment");
  EXPECT_EQ(vm.walk_mem_refs, 4 * vm.walks);
  EXPECT_EQ(detail(vm, "host_dimension_refs"), 0.0);
  EXPECT_EQ(vm.vm_exits, 0u);  // the segment is populated when the VM starts
  EXPECT_EQ(stats_of(r, "native").walk_mem_refs, 4 * stats_of(r, "native").walks);
  EXPECT_EQ(stats_of(r, "nested").walk_mem_refs, 24 * stats_of(r, "nested").walks);
  EXPECT_EQ(stats_of(r, "shadow").walk_mem_refs, 4 * stats_of(r, "shadow").walks);
  EXPECT_GT(stats_of(r, "nested").vm_exits, 0u);  // page-backed memory takes EPT violations
  EXPECT_EQ(test::outcome_of(r, "vm-segment").layout, "host segments (1), guest pages (4K)");
  EXPECT_EQ(test::outcome_of(r, "nested").layout, "host pages (4K, lazy), guest pages (4K)");
}

TEST(SegmentSchemes, FiveLevelPagingKeepsItsCounts) {
  Profile p = load_profile("bare");
  apply_setting(p, "paging.guest_levels=5");
  apply_setting(p, "paging.host_levels=5");
  auto r = run_workload("gups", p, "vm-segment,native,nested,shadow", 1ull << 28, 20'000);
  EXPECT_EQ(r.verified_accesses, 20'000u);
  for (const char* s : {"vm-segment", "native", "shadow"})
    EXPECT_EQ(stats_of(r, s).walk_mem_refs, 5 * stats_of(r, s).walks) << s;
  EXPECT_EQ(stats_of(r, "nested").walk_mem_refs, 35 * stats_of(r, "nested").walks);
}

// Three layouts in one pass, fed the same stream: every scheme agrees with its own machine's
// reference on every access, and the machines agree on each access's guest-physical answer
// (vm-segment's guest is laid out like nested's) or, against guest segments, on its being mapped.
TEST(SegmentSchemes, MixedLayoutsVerifyInOnePass) {
  for (const char* w : {"gups", "fork-exit", "mmap-churn"}) {
    RunReport r;
    ASSERT_NO_THROW(r = run_workload(w, load_profile("bare"),
                                     "vm-segment,nested,guest-segment,dual-segment,shadow", 1ull << 28,
                                     20'000, true, 7))
        << w;
    EXPECT_EQ(r.verified_accesses, r.accesses) << w;
    std::set<std::string> layouts;
    for (const auto& s : r.schemes) layouts.insert(s.layout);
    EXPECT_EQ(layouts.size(), 4u) << w;  // bare's own, vm-segment's, guest-segment's, dual-segment's
    // Schemes on one machine see one guest.
    EXPECT_EQ(stats_of(r, "nested").guest_faults, stats_of(r, "shadow").guest_faults) << w;
    EXPECT_EQ(stats_of(r, "nested").guest_faults, stats_of(r, "vm-segment").guest_faults) << w;
  }
}

TEST(SegmentSchemes, AgreeAcrossPageSizesAndSegmentCounts) {
  struct Case {
    const char *guest, *host, *segments;
  };
  for (Case c : {Case{"thp", "4K", "2"}, Case{"2M", "2M", "1"}, Case{"1G", "1G", "3"},
                 Case{"4K", "2M", "256MiB,512MiB"}}) {
    Profile p = segmented("default");
    apply_setting(p, std::string("guest.page_size=") + c.guest);
    apply_setting(p, std::string("host.page_size=") + c.host);
    apply_setting(p, std::string("host.segments=") + c.segments);
    for (const char* w : {"gups", "chase", "stream"}) {
      RunReport r;
      ASSERT_NO_THROW(r = run_workload(w, p, "all", 3ull << 30, 20'000, true, 3))
          << c.guest << " " << c.host << " " << w;
      EXPECT_EQ(r.verified_accesses, 20'000u);
    }
  }
}

}  // namespace hvsim
