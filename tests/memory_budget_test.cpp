// The run's memory budget: structures reserve their bytes before allocating, and every input
// that could grow memory without bound ends in one clear line with exit status 2 (the
// configuration cannot fit) or 3 (the run outgrew the limit) — never an OOM kill or bad_alloc.
#include "common/memory_budget.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "mem/cache_hierarchy.h"
#include "mem/table_memory.h"
#include "test_support.h"
#include "tlb/tlb_hierarchy.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using test::run_hvsim;

// Sets a limit a little above what the process holds now, and restores the old one after.
class SmallBudget : public ::testing::Test {
 protected:
  void SetUp() override {
    old_limit_ = budget().limit();
    old_source_ = budget().limit_source();
    base_ = std::max(MemoryBudget::resident_bytes(), budget().charged_total());
    budget().set_limit(base_ + 64 * kMiB, "--memory-limit test");
  }
  void TearDown() override { budget().set_limit(old_limit_, old_source_); }
  static MemoryBudget& budget() { return MemoryBudget::instance(); }
  uint64_t base_ = 0;

 private:
  uint64_t old_limit_ = 0;
  std::string old_source_;
};

fs::path temp_dir() {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path d = fs::temp_directory_path() /
               ("hvsim_mem_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

struct Outcome {
  int status;
  std::string err, out;
  bool json_written;
};

// Runs compare with a --json output that must never appear.
Outcome compare(const std::string& args) {
  fs::path json = fs::temp_directory_path() / ("hvsim_mem_" + std::to_string(::getpid()) + ".json");
  fs::remove(json);
  auto r = run_hvsim("compare --json " + json.string() + " " + args);
  bool written = fs::exists(json);
  fs::remove(json);
  return {r.status, r.err, r.out, written};
}

}  // namespace

TEST_F(SmallBudget, ChargesAreRefusedPastTheLimitAndReleased) {
  const uint64_t before = budget().charged(MemoryUse::kPageTables);
  {
    BudgetCharge<MemoryUse::kPageTables> c;
    c.add(16 * kMiB);
    EXPECT_EQ(budget().charged(MemoryUse::kPageTables), before + 16 * kMiB);
    try {
      c.add(128 * kMiB);
      FAIL() << "over the limit";
    } catch (const MemoryBudgetExceeded& e) {
      EXPECT_EQ(e.grew, MemoryUse::kPageTables);
      std::string m = e.what();
      EXPECT_EQ(
          m.rfind("memory budget exceeded before the run: the simulated page tables would bring the run "
                  "to ",
                  0),
          0u)
          << m;
      EXPECT_NE(m.find("over --memory-limit test"), std::string::npos) << m;
    }
    EXPECT_EQ(c.bytes(), 16 * kMiB);  // the refused charge reserved nothing
    BudgetCharge<MemoryUse::kPageTables> copy = c;
    EXPECT_EQ(budget().charged(MemoryUse::kPageTables), before + 32 * kMiB);
    BudgetCharge<MemoryUse::kPageTables> moved = std::move(copy);
    EXPECT_EQ(budget().charged(MemoryUse::kPageTables), before + 32 * kMiB);
  }
  EXPECT_EQ(budget().charged(MemoryUse::kPageTables), before);
}

TEST_F(SmallBudget, RunMessagesNameTheRunAndItsProgress) {
  budget().begin_run("gups");
  budget().note_progress(1'200'000);
  BudgetCharge<MemoryUse::kTlbs> c;
  try {
    c.add(128 * kMiB);
    FAIL();
  } catch (const MemoryBudgetExceeded& e) {
    std::string m = e.what();
    EXPECT_EQ(
        m.rfind("memory budget exceeded in 'gups' after 1.2M events: the simulated TLBs and page-walk caches "
                "would bring the run to ",
                0),
        0u)
        << m;
    EXPECT_NE(m.find("; raise --memory-limit"), std::string::npos) << m;
  }
  budget().end_run();
}

TEST_F(SmallBudget, BigStructuresChargeBeforeAllocating) {
  // A TLB of 2^30 entries would take 16GiB: refused before a byte is allocated.
  TlbConfig cfg;
  cfg.l2 = {1u << 30, 16};
  EXPECT_THROW(TlbHierarchy<HostPhysAddr>{cfg}, MemoryBudgetExceeded);
  CacheHierarchyConfig cache;
  cache.llc = {uint64_t{128} << 30, 16, 50};
  EXPECT_THROW(CacheHierarchy{cache}, MemoryBudgetExceeded);
  EXPECT_LT(MemoryBudget::resident_bytes(), base_ + 64 * kMiB);
  // Full page-table pages (dense, 4KiB each): 2MiB blocks until the budget says no.
  {
    TableMemory mem;
    uint64_t frame = 0;
    auto fill = [&] {
      for (;; ++frame) {
        TablePage* p = mem.create(frame);
        for (unsigned i = 0; i < TablePage::kEntries; ++i) mem.write(*p, i, (frame << 12) | 1);
      }
    };
    EXPECT_THROW(fill(), MemoryBudgetExceeded);
    EXPECT_GT(frame, 1000u);
    EXPECT_LT(frame, 64 * kMiB / 4096);
  }
  // Pages holding one entry each cost their record, not 4KiB: many more fit, and still stop.
  TableMemory mem;
  uint64_t frame = 0;
  auto fill = [&] {
    for (;; ++frame) mem.write(*mem.create(frame), 7, 0x1001);
  };
  EXPECT_THROW(fill(), MemoryBudgetExceeded);
  EXPECT_GT(frame, 4 * 64 * kMiB / 4096);
  EXPECT_EQ(mem.dense_pages(), 0u);
}

TEST(MemoryBudget, DefaultIsHalfOfPhysicalMemory) {
  const uint64_t phys = static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
  EXPECT_EQ(MemoryBudget::default_limit(), phys / 2);
}

// The cases that used to end in an OOM kill or a bare std::bad_alloc.
TEST(MemoryBudget, UnboundedProfileIsRefused) {
  auto r = compare("--workload stream -n 1000 --profile /dev/zero");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "hvsim: error: /dev/zero: the profile is larger than 1MiB; expected a TOML profile file\n");
  EXPECT_FALSE(r.json_written);
}

TEST(MemoryBudget, HugeStructuresFailBeforeTheRun) {
  struct Case {
    const char* set;
    const char* expect;
  } cases[] = {
      {"--set tlb.l2_entries=1073741824",
       "tlb.l2_entries: 1073741824 entries are not whole sets of tlb.l2_ways = 12"},
      {"--set tlb.l2_entries=1073741824 --set tlb.l2_ways=16",
       "the simulated TLBs and page-walk caches would bring the run to"},
      {"--set nested_tlb.entries=1073741824",
       "the largest is nested_tlb.entries=1073741824 (17GiB in each scheme)"},
      {"--set pwc.pde_entries=1073741824", "the largest is pwc.pde_entries=1073741824"},
      {"--set cache.llc_size=100GiB", "cache.llc_size: 100GiB is 152520145.45 sets of 11 ways"},
      {"--set cache.llc_size=128GiB --set cache.llc_ways=16",
       "the simulated cache models would bring the run to"},
      {"--set guest.memory=128PiB", "the simulated frame allocators would bring the run to"},
  };
  for (const Case& c : cases) {
    auto r = compare(std::string("--workload gups -n 1000 --footprint 1MiB --memory-limit 256MiB ") + c.set);
    EXPECT_EQ(r.status, 2) << c.set;
    EXPECT_EQ(lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(r.json_written);
    if (r.err.find("memory budget") != std::string::npos) {
      EXPECT_NE(r.err.find("memory budget exceeded before the run:"), std::string::npos) << r.err;
    }
  }
  auto r = compare(
      "--workload gups -n 1000 --memory-limit 256MiB --set tlb.l2_entries=1073741824 --set "
      "tlb.l2_ways=16");
  EXPECT_NE(r.err.find("over --memory-limit 256MiB, for 12 schemes; the largest is tlb.l2_entries=1073741824 "
                       "(16.2GiB in each scheme); raise --memory-limit or shrink the configuration"),
            std::string::npos)
      << r.err;
}

TEST(MemoryBudget, HugeFootprintIsBounded) {
  // Past what the guest's address space holds above the workloads' heap: refused at once.
  auto r = compare("--workload gups --footprint 64TiB");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--footprint: '64TiB' is too large for 4-level guest paging"), std::string::npos)
      << r.err;
  // With 5 levels it fits the address space, not a small budget: the frame allocators alone do not.
  // Each layout's allocators take some 8-25MiB; the budget must leave room for the process (about
  // 8MiB, and 38MiB under AddressSanitizer) but not for them, or a later, smaller charge trips it.
  const std::string small = HVSIM_TEST_ASAN ? "48MiB" : "64MiB";
  r = compare("--workload gups --footprint 64TiB --set paging.guest_levels=5 --memory-limit " + small);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("memory budget exceeded before the run: the simulated frame allocators"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(r.json_written);
  // A random access per page over 1TiB: the page tables outgrow the budget during the run. (Under
  // AddressSanitizer the process itself holds some 125MiB more before it starts.)
  const std::string limit = HVSIM_TEST_ASAN ? "512MiB" : "128MiB";
  r = compare("--workload gups --footprint 1TiB --memory-limit " + limit);
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("memory budget exceeded in 'gups' "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the simulated page tables would bring the run to"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("over --memory-limit " + limit + "; raise --memory-limit"), std::string::npos)
      << r.err;
  EXPECT_FALSE(r.json_written);
}

TEST(MemoryBudget, RandomAddressTraceOutgrowsASmallLimit) {
  auto d = temp_dir();
  {
    std::ofstream f(d / "random.lackey");
    std::mt19937_64 rng(1);
    for (int i = 0; i < 50000; ++i) f << " L " << std::hex << (rng() & ((uint64_t{1} << 47) - 1)) << ",8\n";
  }
  auto r = compare("--trace " + (d / "random.lackey").string() + " --memory-limit 128MiB");
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("memory budget exceeded in 'random.lackey' "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("page tables"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(r.json_written);
  // The same trace fits a larger budget with one scheme.
  r = compare("--trace " + (d / "random.lackey").string() + " --memory-limit 2GiB --schemes native");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.json_written);
  fs::remove_all(d);
}

TEST(MemoryBudget, ManyProcessesOutgrowASmallLimit) {
  auto d = temp_dir();
  // A drmemtrace chunk switching to a new process before every load: 100k processes in ~2MB.
  auto entry = [](std::string& s, uint16_t type, uint16_t size, uint64_t addr) {
    char r[12];
    std::memcpy(r, &type, 2);
    std::memcpy(r + 2, &size, 2);
    std::memcpy(r + 4, &addr, 8);
    s.append(r, 12);
  };
  std::string chunk;
  entry(chunk, 25, 0, 5);  // header, version 5
  for (uint64_t p = 0; p < 100000; ++p) {
    entry(chunk, 24, 4, 1000 + p);                  // pid
    entry(chunk, 0, 8, 0x7f0000000000 + p * 4096);  // load
  }
  entry(chunk, 26, 0, 0);  // footer
  const fs::path zip_path = d / "procs.zip";
  int err = 0;
  zip_t* z = zip_open(zip_path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  zip_source_t* src = zip_source_buffer(z, chunk.data(), chunk.size(), 0);
  ASSERT_GE(zip_file_add(z, "chunk.0000", src, ZIP_FL_OVERWRITE), 0);
  ASSERT_EQ(zip_close(z), 0);
  EXPECT_LT(fs::file_size(zip_path), 1000000u);
  auto r = compare("--trace " + zip_path.string() + " --memory-limit 256MiB");
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("memory budget exceeded in 'procs.zip' "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("over --memory-limit 256MiB"), std::string::npos) << r.err;
  EXPECT_FALSE(r.json_written);
  fs::remove_all(d);
}

}  // namespace hvsim
