// `hvsim cluster` end to end: the table, JSON and segment list for a hand-made trace whose
// answer is worked out here, and for bad input one error line, exit status 2, no output file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

struct Dir {
  fs::path path = fs::temp_directory_path() / ("hvsim-cluster-cli-" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() { fs::remove_all(path); }
  std::string file(const std::string& name, const std::string& content) const {
    std::ofstream(path / name) << content;
    return (path / name).string();
  }
  std::string at(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Two 8 GiB hosts (1 GiB granules, nothing reserved); VMs of 6, 6 and 4 GiB, the first leaving
// at t=10 and the 4 GiB arriving at t=20: tightest-seg puts 6 and 6 on hosts 0 and 1, then the
// 4 on host 0, whose 8 GiB are free again.
const char* kSettings =
    "--set cluster.granule=1GiB --set cluster.hypervisor_memory=0 --set cluster.pci_hole=0 --policy "
    "tightest-seg";

TEST(ClusterCli, TableJsonAndSegmentList) {
  Dir d;
  const auto vms = d.file("vms.csv", "start,end,memory\n0,10,6GiB\n1,,6GiB\n20,30,4096\n");
  const auto hosts = d.file("hosts.csv", "memory\n8GiB\n8GiB\n");
  auto r =
      test::run_hvsim(fmt::format("cluster --pods {} --nodes {} --format csv {} --json {} --segments-out {}",
                                  vms, hosts, kSettings, d.at("r.json"), d.at("segs.csv")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("cluster: 2 hosts, 16GiB usable; 3 VMs from"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tightest-seg  first-fit    3       3"), std::string::npos) << r.out;
  auto j = nlohmann::json::parse(slurp(d.at("r.json")));
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["placed"], 3.0);
  EXPECT_EQ(j["runs"][0]["single_segment_share_all"], 1.0);
  EXPECT_EQ(j["runs"][0]["peak_load"], 0.75);  // 12 of 16 GiB
  EXPECT_EQ(j["settings"]["cluster.granule"], "1GiB");
  EXPECT_EQ(slurp(d.at("segs.csv")),
            "policy,allocator,vm,host,segments,extents\n"
            "tightest-seg,first-fit,0,0,1,0+6442450944\n"
            "tightest-seg,first-fit,1,1,1,0+6442450944\n"
            "tightest-seg,first-fit,2,0,1,0+4294967296\n");
}

TEST(ClusterCli, TranslationWeighsEachSegmentCountByItsVms) {
  Dir d;
  const auto vms = d.file("vms.csv", "start,end,memory\n0,10,6GiB\n1,,6GiB\n20,30,4096\n");
  const auto hosts = d.file("hosts.csv", "memory\n8GiB\n8GiB\n");
  auto r =
      test::run_hvsim(fmt::format("cluster --pods {} --nodes {} --format csv {} --translation gups "
                                  "--translation-accesses 20k --translation-footprint 64MiB",
                                  vms, hosts, kSettings));
  ASSERT_EQ(r.status, 0) << r.err;
  // All three VMs got one segment: the fleet's figure is the one-segment run's.
  const auto at = r.out.find("(1 seg: 3 VMs at ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string one = r.out.substr(at + 17, r.out.find('%', at) - at - 17);
  EXPECT_NE(r.out.find("tightest-seg first-fit: fleet vm-segment overhead " + one + "% vs nested "),
            std::string::npos)
      << r.out;
  r = test::run_hvsim(
      fmt::format("cluster --pods {} --nodes {} --format csv --translation nope", vms, hosts));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--translation: unknown workload 'nope'; expected one of: "), std::string::npos);
  EXPECT_EQ(r.out, "");
}

TEST(ClusterCli, BadInputIsOneLineExitTwoAndNoOutput) {
  Dir d;
  const auto hosts = d.file("hosts.csv", "memory\n8GiB\n");
  const auto bad = d.file("bad.csv", "start,end,memory\n0,10,6GiB\n0,5\n");
  const auto json = d.at("out.json");
  auto r =
      test::run_hvsim(fmt::format("cluster --pods {} --nodes {} --format csv --json {}", bad, hosts, json));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "hvsim: error: " + bad + ":3: expected at least 3 comma-separated fields, found 2\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(json));
  r = test::run_hvsim(fmt::format("cluster --pods {} --nodes {} --policy best", bad, hosts));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--policy: 'best' is not a placement policy; expected one of: packing,"),
            std::string::npos);
  r = test::run_hvsim(fmt::format("cluster --pods {} --hosts 4", bad));
  EXPECT_EQ(
      r.err,
      "hvsim: error: --nodes: no host list; expected --nodes FILE, or --hosts N with --host-memory SIZE\n");
  r = test::run_hvsim(fmt::format("cluster --pods {} --nodes {} --set cluster.granule=3MiB", bad, hosts));
  EXPECT_EQ(r.err, "hvsim: error: cluster.granule: expected a power of two from 4KiB to 1GiB\n");
  r = test::run_hvsim(fmt::format("cluster --pods {} --nodes {} --set cluster.pci_hole=5GiB", bad, hosts));
  EXPECT_EQ(r.err, "hvsim: error: cluster.pci_hole: expected at most 4GiB (it ends at 4GiB)\n");
}

TEST(ClusterCli, AVmLargerThanEveryHostIsACountedFailure) {
  Dir d;
  const auto vms = d.file("vms.csv", "start,end,memory\n0,10,64GiB\n0,10,1GiB\n");
  auto r = test::run_hvsim(fmt::format("cluster --pods {} --format csv --hosts 2 --host-memory 8GiB --csv {}",
                                       vms, d.at("r.csv")));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string csv = slurp(d.at("r.csv"));
  EXPECT_NE(
      csv.find("policy,allocator,hosts,usable_bytes,skipped_never_ran,vms_seen,placed,failed_too_large,"),
      std::string::npos);
  // 8 GiB less 1 GiB of hypervisor memory and the 1 GiB hole: 7 GiB usable per host.
  EXPECT_NE(csv.find("tightest,first-fit,2,15032385536,0,2,1,1,0,0,"), std::string::npos) << csv;
}

}  // namespace
}  // namespace hvsim
