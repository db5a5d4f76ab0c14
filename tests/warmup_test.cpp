// `--warmup auto` (the default): the warm-up ends where the workload's first-touch phase does,
// decided from the stream; the number it chose is printed and recorded, and `--warmup N` with
// that number gives the same figures.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/warmup.h"
#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::run_hvsim;

// Feeds windows of `rule.window` accesses with first touches given by `rate(window)`; returns the
// accesses the warm-up took (0: it had not ended after `windows`).
template <class Rate>
uint64_t feed(AutoWarmup& w, const AutoWarmupRule& rule, Rate rate, int windows) {
  for (int k = 0; k < windows; ++k) {
    const auto touches = static_cast<uint64_t>(std::llround(rate(k) * static_cast<double>(rule.window)));
    if (w.observe(rule.window, touches)) return w.accesses();
  }
  return 0;
}

TEST(AutoWarmup, EndsWhenACouponCollectorsFirstTouchesFallBelowTheRate) {
  AutoWarmupRule rule;
  AutoWarmup w(rule);
  // Uniform random accesses over N pages touch a new page with probability e^(-t/N).
  const double pages = 262144;
  const uint64_t took = feed(
      w, rule, [&](int k) { return std::exp(-static_cast<double>(k + 1) * rule.window / pages); }, 1000);
  // e^(-t/N) < 0.001 once t > N ln 1000 = 6.9 N: the first window past that.
  EXPECT_EQ(took, 28 * rule.window);
  EXPECT_EQ(w.reason().rfind("first touches fell to 0.0", 0), 0u) << w.reason();
}

TEST(AutoWarmup, AStreamingWorkloadsSteadyRateIsItsSteadyState) {
  AutoWarmupRule rule;
  AutoWarmup w(rule);
  EXPECT_EQ(feed(
                w, rule, [](int) { return 0.002; }, 100),
            rule.flat_windows * rule.window);
  EXPECT_EQ(w.reason(), "first touches steady at 0.2% of accesses");
}

TEST(AutoWarmup, AFallingRateIsNotSteadyAndTheBoundStopsIt) {
  AutoWarmupRule rule;
  rule.max_accesses = 40 * rule.window;
  AutoWarmup w(rule);
  // Halving every 8 windows: the latest half against the quarter before always falls by > 5%.
  EXPECT_EQ(feed(
                w, rule, [](int k) { return 0.5 * std::exp2(-k / 8.0); }, 100),
            0u + 40 * rule.window);
  EXPECT_EQ(w.reason(), fmt::format("the bound of {} accesses", 40 * rule.window));
}

struct Dir {
  fs::path path = fs::temp_directory_path() / ("hvsim-warmup-" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() { fs::remove_all(path); }
  std::string at(const std::string& f) const { return (path / f).string(); }
};

json results_without_time(const std::string& path) {
  json j = json::parse(std::ifstream(path));
  json out = j["results"];
  return out;
}

TEST(WarmupCli, AutoIsTheDefaultAndItsCountReproducesTheRun) {
  Dir d;
  const std::string run =
      "compare --workload gups --footprint 64MiB --accesses 20000 --schemes native,nested,shadow ";
  auto r = run_hvsim(run + "--json " + d.at("auto.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  const json w = json::parse(std::ifstream(d.at("auto.json")))["workload"]["warmup"];
  EXPECT_EQ(w["mode"], "auto");
  const uint64_t k = w["accesses"];
  EXPECT_GT(k, 0u);
  EXPECT_EQ(w["reason"].get<std::string>().rfind("first touches fell to ", 0), 0u) << w;
  EXPECT_NE(r.out.find(fmt::format("warm-up: auto, ")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--warmup 0 for the cold start"), std::string::npos) << r.out;
  // 64 MiB of 4 KiB guest pages: 16384 pages, e^(-k/16384) < 0.1% needs k > 113k accesses.
  EXPECT_GT(k, 113'000u);
  auto fixed = run_hvsim(run + fmt::format("--warmup {} --json {}", k, d.at("fixed.json")));
  ASSERT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_EQ(json::parse(std::ifstream(d.at("fixed.json")))["workload"]["warmup"]["mode"], "fixed");
  EXPECT_EQ(results_without_time(d.at("auto.json")), results_without_time(d.at("fixed.json")));
  // A warm run has (almost) no first-touch faults left; the cold one measures them.
  auto cold = run_hvsim(run + "--warmup 0 --json " + d.at("cold.json"));
  ASSERT_EQ(cold.status, 0) << cold.err;
  EXPECT_NE(cold.out.find("warm-up: none (a cold start"), std::string::npos) << cold.out;
  const json c = json::parse(std::ifstream(d.at("cold.json")));
  EXPECT_EQ(c["workload"]["warmup"]["mode"], "none");
  EXPECT_GT(c["results"][0]["guest_faults"].get<uint64_t>(),
            10 * json::parse(std::ifstream(d.at("auto.json")))["results"][0]["guest_faults"].get<uint64_t>());
}

TEST(WarmupCli, AStreamShorterThanItsFirstTouchPhaseIsMeasuredWholeAndSaysSo) {
  Dir d;
  {
    std::ofstream f(d.at("t.lackey"));
    for (int i = 0; i < 3000; ++i) f << " L " << std::hex << 0x10000 + i * 4096 << ",8\n";
  }
  auto r = run_hvsim("compare --schemes native --trace " + d.at("t.lackey") + " --json " + d.at("r.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  const json j = json::parse(std::ifstream(d.at("r.json")));
  EXPECT_EQ(j["workload"]["warmup"]["reason"], "the stream ended first; the whole run is measured, cold");
  EXPECT_EQ(j["workload"]["accesses"], 3000);
  EXPECT_EQ(j["results"][0]["guest_faults"], 3000);
  EXPECT_NE(r.out.find("the stream ended first"), std::string::npos) << r.out;
}

TEST(WarmupCli, BadValuesNameTheOptionAndAuto) {
  auto r = run_hvsim("compare --workload gups --warmup often");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--warmup: 'often'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(or auto)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hvsim
