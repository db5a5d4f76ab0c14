// `hvsim io`: its tables and files, and one clear line with exit status 2 for bad input.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace hvsim {
namespace {

using test::run_hvsim;

TEST(IoCli, PrintsOneTablePerPolicy) {
  auto r = run_hvsim("io --policy exit,exitless --requests 5k");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("policy: exit "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("policy: exitless "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("p99.9 us"), std::string::npos);
  EXPECT_NE(r.out.find("kick/s"), std::string::npos);
}

TEST(IoCli, JsonCarriesEveryMetric) {
  const std::string path = ::testing::TempDir() + "io.json";
  auto r = run_hvsim("io --policy exit-eventidx --load closed:4 --requests 5k --profile systor2012 --json " +
                     path);
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["runs"].size(), 1u);
  for (const auto& m : j["metrics"]) EXPECT_TRUE(j["runs"][0].contains(m["name"].get<std::string>())) << m;
  EXPECT_EQ(j["runs"][0]["requests"].get<double>(), 5000);
  EXPECT_EQ(j["profile"], "systor2012");
  EXPECT_EQ(j["runs"][0]["io"]["eoi_exits"], "true");  // the profile's value, kept with the run
  EXPECT_EQ(j["runs"][0]["exits"]["eoi"].get<uint64_t>() > 0, true);
}

struct IoBadInput {
  const char* args;
  const char* says;
};

class IoCliBadInput : public ::testing::TestWithParam<IoBadInput> {};

TEST_P(IoCliBadInput, OneLineExitTwo) {
  auto r = run_hvsim(std::string("io --requests 1k ") + GetParam().args);
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(GetParam().says), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    All, IoCliBadInput,
    ::testing::Values(IoBadInput{"--guests 0", "--guests"},
                      IoBadInput{"--policy fast", "unknown policy 'fast'"},
                      IoBadInput{"--set io.nope=1", "io.nope"},
                      IoBadInput{"--set io.kick_exit_cycles=-3", "io.kick_exit_cycles"},
                      IoBadInput{"--load closed:0", "--load"}, IoBadInput{"--load open:0", "--load"},
                      IoBadInput{"--load closed:300", "do not fit"}, IoBadInput{"--load sometimes", "--load"},
                      IoBadInput{"--guests 2 --io-cores 3 --policy exitless", "--io-cores"},
                      IoBadInput{"--io-cores 0 --policy exitless", "needs an I/O core"},
                      IoBadInput{"--sweep guests=4..2", "--sweep"}, IoBadInput{"--size 0", "--size"}));

}  // namespace
}  // namespace hvsim
