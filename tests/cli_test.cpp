// End-to-end checks of the hvsim command: the table, JSON/CSV output, and one clear error line
// with a non-zero exit for every kind of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace hvsim {

using test::run_hvsim;

namespace {
int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }
}  // namespace

TEST(Cli, HelpExplainsEveryCompareOption) {
  auto r = run_hvsim("compare --help");
  ASSERT_EQ(r.status, 0);
  for (const char* opt : {"--workload", "--footprint", "--accesses", "--seed", "--schemes", "--profile",
                          "--set", "--json", "--csv", "--verify", "--warmup"})
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
}

TEST(Cli, CompareWritesTableJsonAndCsv) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "hvsim_cli_test";
  fs::create_directories(dir);
  auto r = run_hvsim(
      "compare --workload gups --footprint 64MiB --accesses 20000 --schemes native,nested,shadow --verify "
      "--json " +
      (dir / "r.json").string() + " --csv " + (dir / "r.csv").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("verified: all schemes agree"), std::string::npos) << r.out;
  for (const char* s : {"native ", "nested ", "shadow "}) EXPECT_NE(r.out.find(s), std::string::npos);
  std::ifstream jf(dir / "r.json");
  auto j = nlohmann::json::parse(jf);
  EXPECT_EQ(j["workload"]["name"], "gups");
  ASSERT_EQ(j["results"].size(), 3u);
  for (auto& row : j["results"]) {
    for (const char* k :
         {"scheme", "accesses", "walks", "walk_mem_refs", "walk_cycles", "tlb_l1_misses", "tlb_l2_misses",
          "vm_exits", "hypervisor_cycles", "total_cycles", "translation_overhead", "speedup_vs_nested"})
      EXPECT_TRUE(row.contains(k)) << k;
    EXPECT_EQ(row["accesses"], 20000);
  }
  EXPECT_EQ(j["results"][1]["speedup_vs_nested"], 1.0);
  std::ifstream cf(dir / "r.csv");
  std::string header;
  std::getline(cf, header);
  EXPECT_EQ(header.rfind("workload,scheme,accesses,walks,walk_mem_refs", 0), 0u);
  fs::remove_all(dir);
}

struct BadInput {
  const char* args;
  const char* expect;
};

class CliBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliBadInput, OneClearLineAndNonZeroExitAndNoOutputFile) {
  namespace fs = std::filesystem;
  fs::path json = fs::temp_directory_path() / ("hvsim_bad_" + std::to_string(::getpid()) + ".json");
  fs::remove(json);
  auto r = run_hvsim(std::string("compare --accesses 1000 --footprint 16MiB --json ") + json.string() + " " +
                     GetParam().args);
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(GetParam().expect), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(json));
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Errors, CliBadInput,
                         ::testing::Values(BadInput{"--workload nosuch", "unknown workload 'nosuch'"},
                                           BadInput{"--schemes native,warp", "unknown scheme 'warp'"},
                                           BadInput{"--set paging.nope=3", "unknown key 'paging.nope'"},
                                           BadInput{"--set paging.guest_levels=9", "paging.guest_levels"},
                                           BadInput{"--set nosection.key=1", "unknown key 'nosection.key'"},
                                           BadInput{"--footprint 12XB", "--footprint"},
                                           BadInput{"--footprint 1EiB", "--footprint"},
                                           BadInput{"--accesses 0", "--accesses"},
                                           BadInput{"--accesses -5", "--accesses"},
                                           BadInput{"--profile /nonexistent/p.toml", "/nonexistent/p.toml"},
                                           BadInput{"--profile /etc", "/etc"},
                                           BadInput{"--no-such-flag", "--no-such-flag"},
                                           BadInput{"--seed notanumber", "--seed"}),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(Cli, UnwritableOutputIsAnErrorNamingThePath) {
  auto r = run_hvsim(
      "compare --workload stream --accesses 1000 --footprint 1MiB --json /nonexistent-dir/out.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/nonexistent-dir/out.json"), std::string::npos) << r.err;
}

}  // namespace hvsim

namespace hvsim {

using test::run_hvsim;

// Bad input found before any simulation: exit status 2, one line naming the option or key, no
// table and no output file.
class CliRejectsBeforeRunning : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliRejectsBeforeRunning, WithExitStatus2AndNothingWritten) {
  namespace fs = std::filesystem;
  fs::path json = fs::temp_directory_path() / ("hvsim_reject_" + std::to_string(::getpid()) + ".json");
  fs::remove(json);
  auto r = run_hvsim(std::string("compare --accesses 1000 --footprint 16MiB --json ") + json.string() + " " +
                     GetParam().args);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(GetParam().expect), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(fs::exists(json));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CliRejectsBeforeRunning,
    ::testing::Values(
        BadInput{"--trace ''", "--trace: the file name is empty; expected a trace file"},
        BadInput{"--seed -1", "--seed: '-1' is negative; expected an integer from 0 to 18446744073709551615"},
        BadInput{"--seed 18446744073709551616", "--seed: '18446744073709551616' is out of range"},
        BadInput{"-n 1e15", "--accesses: '1e15' is out of range"},
        BadInput{"--warmup 2e12", "--warmup: '2e12' is out of range"},
        BadInput{"--warmup -1", "--warmup: '-1' is negative"},
        BadInput{"--footprint 128PiB", "--footprint: '128PiB' is too large; expected at most 64TiB"},
        BadInput{"--footprint 200PiB", "at most 128PiB"},
        BadInput{"--footprint 64TiB",
                 "--footprint: '64TiB' is too large for 4-level guest paging; expected at most "
                 "1TiB"},
        BadInput{"--set tlb.l2_ways=010",
                 "tlb.l2_entries: 1536 entries are not whole sets of tlb.l2_ways = 10"},
        BadInput{"--set tlb.l2_entries=1000 --set tlb.l2_ways=7",
                 "expected a multiple of 7, e.g. 994 or 1001"},
        BadInput{"--set cache.line_bytes=48", "cache.line_bytes: '48' is not valid; expected a power of two"},
        BadInput{"--set cache.llc_size=100GiB", "cache.llc_size: 100GiB is 152520145.45 sets"},
        BadInput{"--schemes native --set switching.window=abc", "switching.window: 'abc' is not valid"},
        BadInput{"--schemes native --set switching.window=0x10", "switching.window: '0x10' is not valid"},
        BadInput{"--schemes native --set agile.bogus=1", "unknown key 'agile.bogus'; the agile scheme has:"},
        BadInput{"--schemes native --set tpt.tag_cache_ways=0", "tpt.tag_cache_ways"},
        BadInput{"--schemes native --set nested.foo=1",
                 "unknown key 'nested.foo'; the nested scheme has no keys"},
        BadInput{"--memory-limit lots", "--memory-limit: 'lots' is not a valid value"}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(Cli, UnknownCommandsAreNamed) {
  auto r = run_hvsim("bogus");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "hvsim: error: unknown command 'bogus'; expected one of: compare, reprice, sweep, io, schemes, "
            "workloads, profile, cluster, report, calibrate, reproduce, trace (see --help)\n");
  r = run_hvsim("profile bogus");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(
      r.err,
      "hvsim: error: hvsim profile: unknown command 'bogus'; expected one of: keys, list (see --help)\n");
  r = run_hvsim("--bogus");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown option '--bogus'"), std::string::npos) << r.err;
  EXPECT_EQ(run_hvsim("--version").status, 0);
  EXPECT_EQ(run_hvsim("profile list").status, 0);
}

TEST(Cli, CountsAreParsedUniformly) {
  auto zero =
      run_hvsim("compare --workload stream --accesses 1000 --footprint 1MiB --schemes native --warmup 0");
  auto zeros =
      run_hvsim("compare --workload stream --accesses 1000 --footprint 1MiB --schemes native --warmup 00");
  ASSERT_EQ(zero.status, 0) << zero.err;
  ASSERT_EQ(zeros.status, 0) << zeros.err;
  // Same table apart from the wall time.
  EXPECT_EQ(zero.out.substr(zero.out.find("scheme")), zeros.out.substr(zeros.out.find("scheme")));
  auto seeded =
      run_hvsim("compare --workload gups --accesses 1000 --footprint 1MiB --schemes native --seed 010");
  ASSERT_EQ(seeded.status, 0) << seeded.err;
  EXPECT_NE(seeded.out.find("seed 10)"), std::string::npos) << seeded.out;
}

TEST(Cli, WarmupLongerThanTheTraceIsAnError) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("hvsim_warmup_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "t.lackey");
    for (int i = 0; i < 100; ++i) f << " L " << std::hex << 0x10000 + i * 4096 << ",8\n";
  }
  const std::string base = "compare --schemes native --trace " + (dir / "t.lackey").string() + " --json " +
                           (dir / "r.json").string() + " --warmup ";
  for (const char* warmup : {"100", "1M"}) {
    auto r = run_hvsim(base + warmup);
    EXPECT_EQ(r.status, 2) << warmup;
    EXPECT_NE(r.err.find(std::string("--warmup ") + (warmup[1] == 'M' ? "1000000" : "100") + ": "),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("has only 100 accesses; expected a warm-up shorter than the stream"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(fs::exists(dir / "r.json"));
  }
  auto ok = run_hvsim(base + "99");
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("1 events measured after 99 warm-up"), std::string::npos) << ok.out;
  fs::remove_all(dir);
}

TEST(Cli, ProfileKeysListsEverySectionWithUnitsAndDefaults) {
  auto text = run_hvsim("profile keys");
  ASSERT_EQ(text.status, 0) << text.err;
  for (const char* s : {"\n[tlb] ", "\n[cache] ", "\n[costs] ", "\n[switching] ", "\n[pv-pibooster] "})
    EXPECT_NE(text.out.find(s), std::string::npos) << s;
  EXPECT_NE(text.out.find("switching.window"), std::string::npos);
  EXPECT_NE(text.out.find("Schemes without keys: native, nested"), std::string::npos) << text.out;
  auto json = run_hvsim("profile keys --json");
  ASSERT_EQ(json.status, 0) << json.err;
  auto j = nlohmann::json::parse(json.out);
  std::map<std::string, nlohmann::json> keys;
  for (auto& s : j["sections"])
    for (auto& k : s["keys"]) keys[k["key"]] = k;
  EXPECT_EQ(keys["tlb.l2_entries"]["unit"], "entries");
  EXPECT_EQ(keys["costs.vm_exit_cycles"]["unit"], "cycles");
  EXPECT_EQ(keys["cache.l1_size"]["type"], "size");
  EXPECT_EQ(keys["switching.window"]["default"], 100000);
  EXPECT_EQ(keys["switching.margin"]["default"], 0.2);
  EXPECT_EQ(keys["guest.page_size"]["range"], "4K|2M|1G|thp");
  EXPECT_TRUE(keys["tpt.tag_fault_cycles"]["default"].is_null());
}

TEST(Cli, HelpDocumentsTheMemoryLimitAndCountMaximum) {
  auto r = run_hvsim("compare --help");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--memory-limit"), std::string::npos);
  EXPECT_NE(r.out.find("half of physical memory"), std::string::npos);
  EXPECT_NE(r.out.find("at most 1e12"), std::string::npos);
}

}  // namespace hvsim
