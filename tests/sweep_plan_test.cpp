// hvsim sweep's plan: how points are grouped into passes, and that grouping changes no figure:
// every point of a grouped pass equals a run of that point alone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/error.h"
#include "common/text_file.h"
#include "report/result_json.h"
#include "report/writers.h"
#include "sweep/experiment_file.h"
#include "sweep/sweep_plan.h"
#include "sweep/sweep_run.h"
#include "sweep/sweep_store.h"
#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path d = fs::temp_directory_path() /
               ("hvsim_plan_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

TEST(SweepPlan, KeysAreGroupedByWhatTheyChange) {
  EXPECT_EQ(key_role("costs.vm_exit_cycles"), KeyRole::kCost);
  EXPECT_EQ(key_role("tlb.l2_entries"), KeyRole::kInstance);
  EXPECT_EQ(key_role("pwc.pde_entries"), KeyRole::kInstance);
  EXPECT_EQ(key_role("cache.llc_size"), KeyRole::kInstance);
  EXPECT_EQ(key_role("agile.quiet_period"), KeyRole::kInstance);  // a scheme's own section
  EXPECT_EQ(key_role("paging.guest_levels"), KeyRole::kLayout);
  EXPECT_EQ(key_role("guest.page_size"), KeyRole::kLayout);
  EXPECT_EQ(key_role("host.backing"), KeyRole::kLayout);
  EXPECT_EQ(key_role("workload.processes"), KeyRole::kLayout);
}

TEST(SweepPlan, TheIssueExampleIsEightPointsInTwoPasses) {
  const SweepPlan plan = plan_sweep(
      read_experiment_file(std::string(HVSIM_SOURCE_DIR) + "/configs/experiments/issue-example.toml"));
  ASSERT_EQ(plan.points.size(), 8u);
  ASSERT_EQ(plan.passes.size(), 2u);  // one per workload
  // Per pass: each scheme at two TLB sizes; the exit costs are priced.
  EXPECT_EQ(plan.units, 2u * 3u * 2u);
  std::set<std::string> hashes;
  for (const auto& p : plan.points) hashes.insert(p.hash);
  EXPECT_EQ(hashes.size(), 8u);
  // 512 entries are not whole sets of the default 12 ways: the plan says what it uses.
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("tlb.l2_entries=512 is not whole sets of tlb.l2_ways=12; those points use "
                               "tlb.l2_ways=8"),
            std::string::npos)
      << plan.notes[0];
  EXPECT_NE(plan.points[0].canonical.find("tlb.l2_ways=8\n"), std::string::npos);
  EXPECT_EQ(plan.points[0].profile->value("tlb.l2_ways"), ConfigValue(uint64_t{8}));
}

TEST(SweepPlan, LayoutKeysNeedTheirOwnPassAndCostsASchemeDecidesWithAreSimulated) {
  const fs::path d = temp_dir();
  const std::string exp = write_file(d / "e.toml", R"([experiment]
workloads = ["gups"]
schemes = ["native", "switching"]
accesses = 1000
footprint = "16MiB"
seeds = [1, 2]
[axes]
"paging.guest_levels" = [4, 5]
"costs.vm_exit_cycles" = [1000, 2000, 3000]
)");
  const SweepPlan plan = plan_sweep(read_experiment_file(exp));
  EXPECT_EQ(plan.points.size(), 2u * 2u * 3u);
  EXPECT_EQ(plan.passes.size(), 2u * 2u);  // seeds x levels
  // native is priced (one instance a pass); switching decides with the exit cost (three).
  EXPECT_EQ(plan.units, 4u * (1u + 3u));
  fs::remove_all(d);
}

// Reads a point file back as results.csv reads it: the counts, priced with the point's costs.
std::string csv_of_point_file(const std::string& file) {
  SavedResults saved = read_results_json(read_bounded_file(file, uint64_t{1} << 26, "point"), file);
  for (auto& run : saved.runs)
    for (auto& s : run.schemes) s.stats.price(saved.profile.costs);
  return render_csv(saved.runs, saved.profile);
}

TEST(SweepPlan, AGroupedPassGivesEachPointWhatARunOfItAloneGives) {
  const fs::path d = temp_dir();
  const std::string exp = write_file(d / "e.toml", R"([experiment]
workloads = ["chase"]
schemes = ["native", "nested", "shadow", "agile"]
accesses = 20000
footprint = "16MiB"
[axes]
"tlb.l2_entries" = [96, 1536]
"pwc.pde_entries" = [4, 32]
"costs.vm_exit_cycles" = [700, 9000]
)");
  const SweepPlan plan = plan_sweep(read_experiment_file(exp));
  ASSERT_EQ(plan.passes.size(), 1u);
  ASSERT_EQ(plan.points.size(), 8u);
  const fs::path out = d / "out";
  fs::create_directories(out / "points");
  EXPECT_EQ(run_pass(plan, 0, out.string(), 2).size(), 8u);
  for (const auto& p : plan.points) {
    RunReport alone =
        test::run_workload("chase", *p.profile, "native,nested,shadow,agile", 16 * kMiB, 20000, false);
    alone.workload = "chase";
    alone.footprint = 16 * kMiB;
    alone.seed = 1;
    EXPECT_EQ(csv_of_point_file(point_file(out.string(), p.hash)), render_csv({alone}, *p.profile))
        << describe_point(plan, p);
  }
  // A second run finds every point finished and simulates nothing.
  EXPECT_TRUE(run_pass(plan, 0, out.string(), 2).empty());
  fs::remove_all(d);
}

TEST(SweepPlan, ErrorsNameTheFileLineAndKey) {
  const fs::path d = temp_dir();
  const std::string head = "[experiment]\nworkloads = [\"gups\"]\nschemes = [\"native\"]\n";
  struct Case {
    std::string body, expected;
  };
  const std::vector<Case> cases = {
      {"[set]\n\"tlb.bogus\" = 1\n", "e.toml:5: unknown key 'tlb.bogus'"},
      {"[axes]\n\"tlb.l2_entries\" = []\n", "e.toml:5: axis 'tlb.l2_entries' is empty"},
      {"[axes]\n\"paging.guest_levels\" = [4, 7]\n", "e.toml:5: paging.guest_levels: '7' is not valid"},
      {"[axes]\n\"costs.vm_exit_cycles\" = { from = 10, to = 1 }\n",
       "e.toml:5: axis 'costs.vm_exit_cycles': a range"},
      {"[bogus]\n", "e.toml:4: unknown table 'bogus'"},
      {"[set]\n\"tlb.l2_entries\" = 1\n[axes]\n\"tlb.l2_entries\" = [2]\n",
       "'tlb.l2_entries' is both in [set] and an axis"},
  };
  for (const auto& c : cases) {
    const std::string exp = write_file(d / "e.toml", head + c.body);
    try {
      plan_sweep(read_experiment_file(exp));
      ADD_FAILURE() << "accepted: " << c.body;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(read_experiment_file((d / "missing.toml").string()), InputError);
  fs::remove_all(d);
}

}  // namespace
}  // namespace hvsim
