// TPT and the direct-segment schemes under OS events: TPT tags exactly the host frames newly
// handed to the VM and takes no exit for its own table writes; the segment schemes pay for OS
// events what nested pays; and the six schemes agree with the reference translation on every OS
// workload, with host segments or host pages, with and without exec.
#include <gtest/gtest.h>

#include "test_support.h"
#include "workload/generators/scripted_source.h"

namespace hvsim {
namespace {

using test::load;
using test::run_events;
using test::store;

constexpr uint64_t kBase = 0x7f00'0000'0000ull;

double detail(const SchemeStats& s, const char* key) {
  auto it = s.details.find(key);
  return it == s.details.end() ? -1.0 : it->second;
}

}  // namespace

TEST(TptOs, TagsEveryNewHostFrameOnceAndTakesNoExitForTableWrites) {
  Profile p = load_profile("bare");  // lazy host pages: every new frame is an exit
  constexpr uint64_t kPages = 600, kCopies = 8;
  std::vector<Event> ev = {os_event(EventKind::kMmap, 1, kBase, 4ull << 20)};
  for (uint64_t i = 0; i < kPages; ++i) ev.push_back(store(kBase + i * 4096));
  ev.push_back(os_event(EventKind::kProcessCreate, 1, 0, 2));
  ev.push_back(os_event(EventKind::kContextSwitch, 2));
  for (uint64_t i = 0; i < kPages; ++i) ev.push_back(load(kBase + i * 4096, 2));  // inherited, no fault
  for (uint64_t i = 0; i < kCopies; ++i) ev.push_back(store(kBase + i * 4096 * 16, 2));  // copied
  auto r = run_events(ev, p, "tpt,nested");
  const SchemeStats& tpt = test::stats_of(r, "tpt");
  EXPECT_EQ(r.verified_accesses, 2 * kPages + kCopies);
  // Tagged once each: the parent's data frames, the copies, and every gVA -> hPA table page
  // (the child shares the parent's frames, which keep their tag).
  EXPECT_EQ(detail(tpt, "tag_assignments"), kPages + kCopies + detail(tpt, "tpt_table_pages"));
  EXPECT_EQ(detail(tpt, "tag_faults"), 0.0);
  // Exits only where the host backs new guest memory (data and guest table pages): as nested's
  // EPT violations; the fork's table writes and the copies' leaf rewrites take none.
  const SchemeStats& nested = test::stats_of(r, "nested");
  EXPECT_EQ(tpt.vm_exits, nested.exits_by_reason[static_cast<size_t>(ExitReason::kEptViolation)]);
  EXPECT_EQ(detail(tpt, "host_frames_assigned"), static_cast<double>(tpt.vm_exits));
  const auto fork = static_cast<size_t>(EventKind::kProcessCreate);
  EXPECT_EQ(tpt.events[fork].cycles, nested.events[fork].cycles);
}

TEST(TptOs, ExitAndMunmapFreeTheGuestOwnedTables) {
  Profile p = load_profile("bare");
  std::vector<Event> ev = {os_event(EventKind::kMmap, 1, kBase, 8ull << 20)};
  for (uint64_t i = 0; i < 2048; ++i) ev.push_back(store(kBase + i * 4096));
  ev.push_back(os_event(EventKind::kProcessCreate, 1, 0, 2));
  ev.push_back(os_event(EventKind::kProcessExit, 2));
  ev.push_back(os_event(EventKind::kMunmap, 1, kBase, 4ull << 20));  // two last-level tables
  ev.push_back(load(kBase + (6ull << 20)));
  auto r = run_events(ev, p, "tpt,pv");
  // What is left: the parent's root, one page per upper level and its remaining two tables.
  EXPECT_EQ(detail(test::stats_of(r, "tpt"), "tpt_table_pages"), 1 + 2 + 2.0);
  EXPECT_EQ(detail(test::stats_of(r, "pv"), "pv_table_pages"), 1 + 2 + 2.0);
  EXPECT_EQ(r.verified_accesses, 2049u);
}

// On the segment schemes' own layout, the guest's operations cost what nested pays there: the
// segments change the walk, not how the guest forks, exits or switches.
TEST(SegmentsOs, OsEventsCostWhatNestedPays) {
  Profile p = load_profile("default");
  apply_setting(p, "host.backing=segments");
  apply_setting(p, "guest.direct_segment=true");
  auto r =
      test::run_workload("fork-exit", p, "nested,vm-segment,dual-segment,guest-segment", 32ull << 20, 20'000);
  const SchemeStats& nested = test::stats_of(r, "nested");
  for (const char* s : {"vm-segment", "dual-segment", "guest-segment"}) {
    const SchemeStats& seg = test::stats_of(r, s);
    for (auto k : {EventKind::kProcessCreate, EventKind::kProcessExit, EventKind::kContextSwitch}) {
      const auto slot = static_cast<size_t>(k);
      EXPECT_EQ(seg.events[slot].cycles, nested.events[slot].cycles) << s << " " << event_slot_name(slot);
    }
    EXPECT_EQ(seg.vm_exits, nested.vm_exits) << s;
    EXPECT_EQ(seg.pt_alloc_cycles, nested.pt_alloc_cycles) << s;
  }
  // Segment-backed memory is populated up front: no EPT violations.
  EXPECT_EQ(nested.exits_by_reason[static_cast<size_t>(ExitReason::kEptViolation)], 0u);
  EXPECT_GT(nested.events[static_cast<size_t>(EventKind::kProcessCreate)].cycles, 0u);
}

struct OsCase {
  const char* workload;
  const char* profile;
  bool pages;  // host.backing = pages, no guest direct segments
  bool exec;
};

void PrintTo(const OsCase& c, std::ostream* os) {
  *os << c.workload << " on " << c.profile << (c.pages ? ", host pages" : "") << (c.exec ? ", exec" : "");
}

class OsSchemesAgree : public ::testing::TestWithParam<OsCase> {};

TEST_P(OsSchemesAgree, WithTheReferenceOnEveryAccess) {
  const OsCase& c = GetParam();
  Profile p = load_profile(c.profile);
  if (c.pages) {
    apply_setting(p, "host.backing=pages");
    apply_setting(p, "guest.direct_segment=false");
  }
  WorkloadParams wp;
  wp.footprint = 32ull << 20;
  wp.accesses = 30'000;
  wp.seed = 5;
  if (c.exec) wp.options["exec"] = "true";
  auto source = WorkloadRegistry::instance().find(c.workload)->factory(wp);
  ExperimentOptions opt;
  opt.schemes = resolve_schemes("vm-segment,dual-segment,guest-segment,tpt,pv,pv-pibooster");
  opt.verify = true;
  opt.footprint_hint = wp.footprint;
  opt.threads = 2;
  RunReport r;
  ASSERT_NO_THROW(r = run_experiment(*source, p, opt));
  EXPECT_EQ(r.verified_accesses, 30'000u);
}

INSTANTIATE_TEST_SUITE_P(
    Workloads, OsSchemesAgree,
    ::testing::Values(OsCase{"fork-exit", "default", false, false},
                      OsCase{"fork-exit", "default", false, true}, OsCase{"fork-exit", "bare", true, true},
                      OsCase{"fork-exit", "default", true, false}, OsCase{"pagefault", "bare", false, false},
                      OsCase{"pagefault", "default", true, false}, OsCase{"mmap-churn", "bare", true, false},
                      OsCase{"mmap-churn", "default", false, false}, OsCase{"ctxsw", "default", true, false},
                      OsCase{"ctxsw", "bare", false, false}),
    [](const auto& info) {
      std::string n = std::string(info.param.workload) + "_" + info.param.profile +
                      (info.param.pages ? "_pages" : "") + (info.param.exec ? "_exec" : "");
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

}  // namespace hvsim
