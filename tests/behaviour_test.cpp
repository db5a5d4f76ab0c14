// Behaviour preserved: each workload of tools/behaviour_baseline.sh, run again by this build, gives
// every value of the baseline in tests/data/behaviour/ (keys added since are fine; timings and
// the version are not compared).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace hvsim {
namespace {

// Appends to `diffs` every place where `after` lacks or changes a value of `before`.
void compare(const nlohmann::json& before, const nlohmann::json& after, const std::string& path,
             std::vector<std::string>& diffs) {
  if (before.is_object()) {
    for (const auto& [key, value] : before.items()) {
      if (key == "seconds" || key == "hvsim_version") continue;
      if (!after.is_object() || !after.contains(key))
        diffs.push_back(path + "." + key + ": missing");
      else
        compare(value, after[key], path + "." + key, diffs);
    }
    return;
  }
  if (before.is_array()) {
    if (!after.is_array() || after.size() != before.size()) {
      diffs.push_back(path + ": array of " + std::to_string(before.size()) + " became " + after.dump());
      return;
    }
    for (size_t i = 0; i < before.size(); ++i)
      compare(before[i], after[i], path + "[" + std::to_string(i) + "]", diffs);
    return;
  }
  if (before.is_number_float() && after.is_number()) {
    const double b = before.get<double>(), a = after.get<double>();
    if (b == a || std::fabs(a - b) <= 1e-12 * std::fabs(b)) return;
  }
  if (before != after) diffs.push_back(path + ": " + before.dump() + " became " + after.dump());
}

class Behaviour : public ::testing::TestWithParam<const char*> {};

TEST_P(Behaviour, EveryBaselineValueIsUnchanged) {
  namespace fs = std::filesystem;
  const std::string w = GetParam();
  // Instrumented, fork-exit's 200k accesses take over two minutes; its paths run under the
  // sanitizers in OsAgreement, and its values are checked here in the Release suite.
  if (HVSIM_TEST_ASAN && w == "fork-exit")
    GTEST_SKIP() << "fork-exit's baseline is checked in the Release suite";
  const fs::path baseline = fs::path(HVSIM_SOURCE_DIR) / "tests/data/behaviour" / (w + ".json");
  const fs::path out = fs::temp_directory_path() / fmt::format("hvsim-behaviour-{}-{}.json", w, ::getpid());
  auto r = test::run_hvsim(fmt::format(
      "compare --workload {} --footprint 256MiB --accesses 200k --schemes all --set host.backing=segments "
      "--set guest.direct_segment=true --set host.populate=lazy --set host.page_size=4K --warmup 0 --json {}",
      w, out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto before = nlohmann::json::parse(std::ifstream(baseline));
  const auto after = nlohmann::json::parse(std::ifstream(out));
  fs::remove(out);
  std::vector<std::string> diffs;
  compare(before, after, w, diffs);
  std::string shown;
  for (size_t i = 0; i < diffs.size() && i < 20; ++i) shown += diffs[i] + "\n";
  EXPECT_TRUE(diffs.empty()) << diffs.size() << " values differ from " << baseline << ":\n" << shown;
}

INSTANTIATE_TEST_SUITE_P(Workloads, Behaviour,
                         ::testing::Values("gups", "chase", "zipf", "fork-exit", "mmap-churn", "pagefault",
                                           "ctxsw"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace hvsim
