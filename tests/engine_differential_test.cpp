// The differential engine check on seeded plausible streams: every scheme with --verify on every
// layout, and the guest's tables against a model of what must be mapped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine_differential.h"
#include "test_support.h"

namespace hvsim {
namespace {

using differential::Case;

uint64_t stats_guest_faults(const RunReport& r) { return r.schemes.front().stats.guest_faults; }

TEST(EngineDifferential, SeededStreamsAgreeOnEveryLayout) {
  uint64_t events = 0, accesses = 0;
  for (uint64_t seed = 1; seed <= 320; ++seed) {
    RngChoices choices(seed);
    auto stream = differential::generate(choices, 1500 + seed * 37 % 1000);
    Case c;
    c.layout = seed % differential::layouts().size();
    const size_t batches[] = {2, 3, 17, 256, 4096};
    c.batch_events = batches[seed % 5];
    c.threads = 1 + seed % 2;
    c.warmup = seed % 3 == 0 ? 100 : 0;
    SCOPED_TRACE(fmt::format("seed {} layout {} batch {}", seed, c.layout, c.batch_events));
    RunReport r;
    try {
      r = differential::check(stream, c);
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    EXPECT_EQ(r.verified_accesses, r.accesses);
    events += stream.size();
    accesses += r.accesses;
  }
  std::printf("differential: %lu events, %lu verified accesses\n", static_cast<unsigned long>(events),
              static_cast<unsigned long>(accesses));
}

// The trace of a large malloc, free and malloc again (glibc maps and unmaps 2 MiB-aligned
// chunks), through the command line: every scheme agrees, and each counts three guest faults.
TEST(EngineDifferential, RemappedRangeFromALackeyTraceVerifies) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("hvsim-remap-{}", ::getpid());
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "remap.lackey");
    f << "==1== x\n"
         "SYSCALL[1,1](9) sys_mmap ( 0x0, 2097152, 3, 34, 4294967295, 0 ) --> [pre-success] "
         "Success(0x7f1234400000) \n"
         " S 7f1234400010,8\n"
         "SYSCALL[1,1](11) sys_munmap ( 0x7f1234400000, 2097152 )[sync] --> Success(0x0) \n"
         " S 00601000,8\n"
         "SYSCALL[1,1](9) sys_mmap ( 0x0, 2097152, 3, 34, 4294967295, 0 ) --> [pre-success] "
         "Success(0x7f1234400000) \n"
         " L 7f1234400010,8\n";
  }
  auto r = test::run_hvsim(fmt::format("compare --trace {} --verify --json {}",
                                       (dir / "remap.lackey").string(), (dir / "out.json").string()));
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(std::ifstream(dir / "out.json"));
  const auto& results = j["results"];
  ASSERT_EQ(results.size(), SchemeRegistry::instance().all().size());
  for (const auto& s : results) EXPECT_EQ(s["guest_faults"], 3) << s["scheme"];
  fs::remove_all(dir);
}

// The stream the tester reported: a 2 MiB-aligned mapping freed and mapped again.
TEST(EngineDifferential, RemappedTwoMegabyteRangeIsFaultedAgain) {
  const uint64_t base = 0x7f1234400000;
  auto ev = [](EventKind k, uint64_t a, uint64_t arg) {
    Event e;
    e.kind = k, e.addr = a, e.arg = arg, e.pid = 1;
    return e;
  };
  std::vector<Event> s = {
      ev(EventKind::kMmap, base, 2 << 20),   Event::access(EventKind::kStore, base + 0x10, 8, 1),
      ev(EventKind::kMunmap, base, 2 << 20), Event::access(EventKind::kStore, 0x601000, 8, 1),
      ev(EventKind::kMmap, base, 2 << 20),   Event::access(EventKind::kLoad, base + 0x10, 8, 1)};
  for (size_t layout = 0; layout < differential::layouts().size(); ++layout) {
    Case c;
    c.layout = layout;
    RunReport r = differential::check(s, c);
    for (const auto& sc : r.schemes) EXPECT_EQ(sc.stats.guest_faults, 3u) << sc.name << " layout " << layout;
  }
}

Event os(EventKind k, uint32_t pid, uint64_t addr, uint64_t arg = 0) {
  Event e;
  e.kind = k, e.pid = pid, e.addr = addr, e.arg = arg;
  return e;
}
Event ld(uint64_t va, uint32_t pid = 1) { return Event::access(EventKind::kLoad, va, 8, pid); }
Event st(uint64_t va, uint32_t pid = 1) { return Event::access(EventKind::kStore, va, 8, pid); }

// Found by the differential check. An mmap over part of a 2 MiB guest page drops the whole page;
// a fault in the same range then maps a new 2 MiB page, which shadow paging must not take from
// stale 4 KiB shadow entries left outside the mmap'd range (layout: bare, 2 MiB guest pages).
TEST(EngineDifferential, MmapOverPartOfAHugePageDropsItEverywhere) {
  std::vector<Event> s = {st(0x7f00497ff0b0), os(EventKind::kMmap, 1, 0x7f0049759000, 0x10000),
                          st(0x7f0048f26840), ld(0x7f0049769630), ld(0x7f00497ff868)};
  RunReport r = differential::check(s, Case{5, 4096, 1, 0, "all"});
  EXPECT_EQ(stats_guest_faults(r), 3u);  // the last load hits the page the one before mapped
}

// Found by the differential check: after a munmap left an empty page table in a shadowed range,
// a shadow fill of a 2 MiB guest page replaced that table with a large leaf under the shadow
// page-walk cache, and the next walk read the freed table (layout: 1 GiB guest and host pages).
TEST(EngineDifferential, ShadowFillDoesNotReplaceATableUnderItsWalkCache) {
  std::vector<Event> s = {os(EventKind::kMmap, 1, 0x7f00cfa61000, 0x200000),
                          ld(0x7f00cfea1010),
                          ld(0x7f00cfc69a58),
                          os(EventKind::kProcessCreate, 1, 0, 4),
                          ld(0x7f00cfc7c3a0, 4),
                          ld(0x7f00cf9fc390, 4),
                          ld(0x7f00cfa109f8, 4),
                          os(EventKind::kMunmap, 4, 0x7f00cf9fb000, 0x19d3000),
                          st(0x7f00cfc903f8, 4)};
  RunReport r = differential::check(s, Case{6, 4096, 1, 0, "all"});
  EXPECT_EQ(r.verified_accesses, 6u);
}

// A process's first mmap of 2 MiB or more (its direct segment) covering a page touched before it:
// the mmap replaces that page, which faults again inside the segment (dual-segment translated it
// by the segment while the guest table still held the old frame).
TEST(EngineDifferential, DirectSegmentOverAPageTouchedBeforeIt) {
  std::vector<Event> s = {st(0x5000), os(EventKind::kMmap, 1, 0x4000, 2 << 20), ld(0x5008), st(0x6000)};
  for (size_t layout : {0, 5, 7}) {
    RunReport r = differential::check(s, Case{layout, 4096, 1, 0, "all"});
    EXPECT_EQ(stats_guest_faults(r), 3u) << layout;
  }
}

// Canonical high-half addresses are simulated by their low 48 bits; they fault separately from
// user addresses, and a non-canonical address is refused naming the event.
TEST(EngineDifferential, CanonicalAddressesAreDistinctAndOthersRefused) {
  std::vector<Event> s = {ld(0), ld(0xffff800000000000), ld(0x7ffffffff000), ld(0xfffffffffffff000)};
  RunReport r = differential::check(s, Case{1, 4096, 1, 0, "all"});
  EXPECT_EQ(stats_guest_faults(r), 4u);
  for (uint64_t bad : {0x800000000000ull, 0x1000000000000ull, 0x8000000000000000ull}) {
    std::vector<Event> t = {ld(0), ld(bad)};
    try {
      differential::check(t, Case{1, 4096, 1, 0, "native"});
      ADD_FAILURE() << "accepted " << std::hex << bad;
    } catch (const std::exception& e) {
      EXPECT_EQ(
          std::string(e.what()),
          fmt::format("layout 1 (bare): differential stream: event 1 (load, pid 1): guest-virtual address "
                      "{:#x} is not canonical for 4-level paging; expected bits 63..47 all equal to bit 47",
                      bad));
    }
  }
  // With 5-level paging the same addresses are canonical and distinct.
  std::vector<Event> five = {ld(0), ld(0x800000000000), ld(0x1000000000000), ld(0xffff800000000000)};
  RunReport r5 = differential::check(five, Case{4, 4096, 1, 0, "all"});
  EXPECT_EQ(stats_guest_faults(r5), 4u);
}

}  // namespace
}  // namespace hvsim
