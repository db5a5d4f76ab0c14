// End-to-end checks of the hvsim command: the table, JSON/CSV output, and one clear error line
// with a non-zero exit for every kind of bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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
