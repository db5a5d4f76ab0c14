// Costs as data: a saved result re-priced with other costs is what a fresh run with those costs
// gives, and --break-even finds where two schemes' totals cross.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/costs.h"
#include "report/break_even.h"
#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::run_hvsim;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("hvsim-reprice-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

json load(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// A stream with every OS event kind (fork, exec, exit, mmap, munmap, brk, mprotect, madvise,
// context switches, shootdowns, DMA), through every scheme whose decisions read no cost.
const std::string kRun =
    "compare --workload os-random,pagefault --footprint 32MiB --accesses 20000 --warmup 0 --set "
    "pv.iommu=true --set "
    "host.populate=lazy --set host.backing=pages "
    "--schemes "
    "native,nested,shadow,agile,tdp-large,vm-segment,dual-segment,guest-segment,tpt,pv,pv-pibooster";

// Everything but wall time must be identical.
// Without the wall times and the command line (each file names the command that wrote it: one
// compare, the other reprice); the whole configuration must still agree.
json without_seconds(json j) {
  for (auto& w : j["workloads"]) w.erase("seconds");
  j.erase("workload");
  EXPECT_TRUE(j.contains("command"));
  j.erase("command");
  return j;
}

TEST(Reprice, EveryCostKeyGivesWhatAFreshRunGives) {
  TempDir dir;
  auto base = run_hvsim(kRun + " --json " + dir.file("base.json"));
  ASSERT_EQ(base.status, 0) << base.err;
  const json saved = load(dir.file("base.json"));
  for (size_t i = 0; i < kCostCount; ++i) {
    const std::string key = std::string(cost_key(static_cast<Cost>(i)));
    const uint64_t value = saved["profile"]["costs"][key].get<uint64_t>() * 3 + 777;
    const std::string set = fmt::format("--set costs.{}={}", key, value);
    auto fresh = run_hvsim(kRun + " " + set + " --json " + dir.file("fresh.json"));
    ASSERT_EQ(fresh.status, 0) << fresh.err;
    auto re = run_hvsim("reprice " + dir.file("base.json") + " " + set + " --json " + dir.file("re.json"));
    ASSERT_EQ(re.status, 0) << re.err;
    const json f = without_seconds(load(dir.file("fresh.json"))),
               r = without_seconds(load(dir.file("re.json")));
    ASSERT_EQ(f["results"].size(), r["results"].size()) << key;
    for (size_t k = 0; k < f["results"].size(); ++k) {
      const json &a = f["results"][k], &b = r["results"][k];
      const std::string what =
          key + " " + a["workload"].get<std::string>() + "/" + a["scheme"].get<std::string>();
      EXPECT_EQ(a["total_cycles"], b["total_cycles"]) << what;
      EXPECT_EQ(a["vm_exit_cycles_by_reason"], b["vm_exit_cycles_by_reason"]) << what;
      EXPECT_EQ(a["events"], b["events"]) << what;
      EXPECT_EQ(a, b) << what;
    }
    EXPECT_EQ(f, r) << key;
    // The table too, but for the line with the wall time.
    auto drop_profile_line = [](std::string s) {
      for (size_t at; (at = s.find("\nprofile: ")) != std::string::npos;)
        s.erase(at, s.find('\n', at + 1) - at);
      return s;
    };
    EXPECT_EQ(drop_profile_line(fresh.out), drop_profile_line(re.out)) << key;
  }
}

// The profile block a re-priced result prints is the saved one: levels and page size included.
TEST(Reprice, KeepsTheSavedLayout) {
  TempDir dir;
  const std::string run =
      "compare --workload gups --footprint 16MiB --accesses 5000 --schemes native,nested --set "
      "paging.guest_levels=5 --set host.page_size=2M";
  ASSERT_EQ(run_hvsim(run + " --json " + dir.file("base.json")).status, 0);
  const std::string set = "--set costs.vm_exit_cycles=3000";
  ASSERT_EQ(run_hvsim(run + " " + set + " --json " + dir.file("fresh.json")).status, 0);
  auto re = run_hvsim("reprice " + dir.file("base.json") + " " + set + " --json " + dir.file("re.json"));
  ASSERT_EQ(re.status, 0) << re.err;
  const json f = load(dir.file("fresh.json"))["profile"], r = load(dir.file("re.json"))["profile"];
  EXPECT_EQ(r["host_page_size"], "2M");
  EXPECT_EQ(r["guest_levels"], 5);
  EXPECT_EQ(f, r);
}

TEST(Reprice, EveryCostKeyChangesSomeTotal) {
  // Otherwise the test above would prove nothing for that key.
  TempDir dir;
  ASSERT_EQ(run_hvsim(kRun + " --json " + dir.file("base.json")).status, 0);
  const json saved = load(dir.file("base.json"));
  for (size_t i = 0; i < kCostCount; ++i) {
    const std::string key(cost_key(static_cast<Cost>(i)));
    uint64_t charged = 0;
    for (const auto& r : saved["results"])
      for (const char* account : {"guest", "hypervisor"})
        charged += r["cost_counts"][account].value(key, uint64_t{0});
    EXPECT_GT(charged, 0u) << key;
  }
}

TEST(Reprice, RefusesACostASchemeDecidesWithAndKeysThatChangeTheSimulation) {
  TempDir dir;
  ASSERT_EQ(
      run_hvsim(
          "compare --workload gups --footprint 8MiB --accesses 5000 --schemes nested,switching --json " +
          dir.file("sw.json"))
          .status,
      0);
  auto r = run_hvsim("reprice " + dir.file("sw.json") + " --set costs.vm_exit_cycles=3000");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("scheme 'switching' decides with costs.vm_exit_cycles"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  // A cost switching does not decide with re-prices it too.
  EXPECT_EQ(run_hvsim("reprice " + dir.file("sw.json") + " --set costs.fork_cycles=1").status, 0);
  r = run_hvsim("reprice " + dir.file("sw.json") + " --set tlb.l2_entries=64");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("only costs.* keys can be re-priced"), std::string::npos) << r.err;
  r = run_hvsim("reprice " + dir.file("sw.json") + " --set costs.vm_exit_cycles=x");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("costs.vm_exit_cycles: 'x' is not valid"), std::string::npos) << r.err;
}

TEST(Reprice, DamagedResultFilesGetOneLineNamingTheKey) {
  TempDir dir;
  ASSERT_EQ(run_hvsim("compare --workload gups --footprint 8MiB --accesses 2000 --schemes native --json " +
                      dir.file("ok.json"))
                .status,
            0);
  json j = load(dir.file("ok.json"));
  j["results"][0].erase("walks");
  std::ofstream(dir.file("bad.json")) << j.dump();
  auto r = run_hvsim("reprice " + dir.file("bad.json"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "hvsim: error: " + dir.file("bad.json") +
                       ": results[0]: missing key 'walks'; expected an hvsim result (docs/output.md)\n");
  std::ofstream(dir.file("cut.json")) << "{\"profile\": {";
  r = run_hvsim("reprice " + dir.file("cut.json"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cut.json: not valid JSON (byte 14)"), std::string::npos) << r.err;
  r = run_hvsim("reprice " + dir.file("missing.json"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("missing.json: no such file"), std::string::npos) << r.err;
}

// pv pays one hypercall per hypercall; shadow none. Where their totals meet follows from the
// saved counts by hand: c = c0 + (total_shadow - total_pv) / hypercalls_pv.
// Cold runs: a warm-up changes nothing of the formula, and pagefault's is a million faults.
TEST(BreakEven, HypercallCostWherePvMeetsShadowMatchesTheHandFormula) {
  TempDir dir;
  auto r = run_hvsim(
      "compare --workload pagefault --footprint 32MiB --accesses 20000 --warmup 0 --schemes shadow,pv "
      "--json " +
      dir.file("f.json") + " --break-even costs.hypercall_cycles --between pv,shadow");
  ASSERT_EQ(r.status, 0) << r.err;
  const json j = load(dir.file("f.json"));
  const json &shadow = j["results"][0], &pv = j["results"][1];
  const double c0 = j["profile"]["costs"]["hypercall_cycles"].get<double>();
  const double by_hand = c0 + (shadow["total_cycles"].get<double>() - pv["total_cycles"].get<double>()) /
                                  pv["hypercalls"].get<double>();
  EXPECT_NE(r.out.find(fmt::format(
                "costs.hypercall_cycles between pv and shadow on pagefault = {:.2f} cycles", by_hand)),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("below it pv costs less"), std::string::npos);
  // Either side of it, fresh runs order the two schemes that way.
  auto totals = [&](uint64_t c) {
    EXPECT_EQ(
        run_hvsim(
            "compare --workload pagefault --footprint 32MiB --accesses 20000 --warmup 0 --schemes shadow,pv "
            "--set costs.hypercall_cycles=" +
            std::to_string(c) + " --json " + dir.file("g.json"))
            .status,
        0);
    const json g = load(dir.file("g.json"));
    return std::pair{g["results"][0]["total_cycles"].get<uint64_t>(),
                     g["results"][1]["total_cycles"].get<uint64_t>()};
  };
  auto below = totals(static_cast<uint64_t>(std::floor(by_hand)));
  auto above = totals(static_cast<uint64_t>(std::ceil(by_hand)));
  EXPECT_LT(below.second, below.first);
  EXPECT_GT(above.second, above.first);
  // reprice answers the same from the saved result.
  auto re =
      run_hvsim("reprice " + dir.file("f.json") + " --break-even costs.hypercall_cycles --between pv,shadow");
  EXPECT_NE(re.out.find(fmt::format("= {:.2f} cycles", by_hand)), std::string::npos) << re.out;
}

TEST(BreakEven, SlopesAndOffsetsDecideTheAnswer) {
  auto outcome = [](const char* name, uint64_t fixed, uint64_t exits) {
    SchemeOutcome o;
    o.name = name;
    o.stats.ledger.hypervisor.n[kFixedColumn] = fixed;
    o.stats.ledger.hypervisor.n[static_cast<size_t>(Cost::kVmExit)] = exits;
    CostTable costs;
    costs[Cost::kVmExit] = 100;
    o.stats.price(costs);
    return o;
  };
  CostTable costs;
  costs[Cost::kVmExit] = 100;
  // 1000 + 2c = 3000 + 0c at c = 1000.
  BreakEven at = break_even(outcome("a", 1000, 2), outcome("b", 3000, 0), costs, Cost::kVmExit);
  EXPECT_EQ(at.kind, BreakEven::Kind::kAt);
  EXPECT_DOUBLE_EQ(at.value, 1000.0);
  EXPECT_EQ(at.cheaper, "a");
  // b is cheaper at every non-negative cost.
  BreakEven none = break_even(outcome("a", 3000, 2), outcome("b", 1000, 0), costs, Cost::kVmExit);
  EXPECT_EQ(none.kind, BreakEven::Kind::kNone);
  EXPECT_EQ(none.cheaper, "b");
  BreakEven same = break_even(outcome("a", 500, 3), outcome("b", 500, 3), costs, Cost::kVmExit);
  EXPECT_EQ(same.kind, BreakEven::Kind::kEverywhere);
  SchemeOutcome deciding = outcome("switching", 0, 1);
  deciding.decision_costs = {Cost::kVmExit};
  EXPECT_THROW(break_even(deciding, outcome("b", 0, 0), costs, Cost::kVmExit), InputError);
}

TEST(BreakEven, OptionsAreCheckedBeforeTheRun) {
  for (auto [args, expect] : std::vector<std::pair<const char*, const char*>>{
           {"--break-even costs.vm_exit_cycles", "--break-even: needs --between A,B"},
           {"--between shadow,nested", "--between: needs --break-even KEY"},
           {"--break-even tlb.l2_entries --between shadow,nested", "expected a costs.* key"},
           {"--break-even costs.vm_exit_cycles --between shadow", "expected two schemes"},
           {"--break-even costs.vm_exit_cycles --between shadow,pv",
            "scheme 'pv' is not among the schemes run"}}) {
    auto r =
        run_hvsim(std::string("compare --workload gups --accesses 1000 --schemes shadow,nested ") + args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_NE(r.err.find(expect), std::string::npos) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
  }
}

}  // namespace
}  // namespace hvsim
