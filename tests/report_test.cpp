// `hvsim report`: the page, the spec and data of each figure beside it, the sweep table reader,
// `compare --report`, and for bad input one error line, exit status 2 and no output at all.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "report/report_input.h"
#include "report_test_support.h"
#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::ReportDir;
using test::slurp;

TEST(ReportCli, PageSpecsAndDataFromACompareResult) {
  ReportDir d("page");
  const std::string result = d.at("r.json");
  ASSERT_EQ(test::run_hvsim(fmt::format("compare --workload gups,fork-exit --footprint 8MiB --accesses 6000 "
                                        "--schemes native,nested,shadow --json {}",
                                        result))
                .status,
            0);
  auto r = test::run_hvsim(fmt::format("report {} --out {}", result, d.at("rep.html")));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string html = slurp(d.at("rep.html"));
  // Self-contained: the libraries inline, nothing fetched.
  EXPECT_NE(html.find("vegaEmbed"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // The command that made the result is under the figures.
  const std::string command = "hvsim compare --workload gups,fork-exit --footprint 8MiB";
  for (const char* id : {"overhead", "refs-per-walk", "op-latency", "any-metric"}) {
    SCOPED_TRACE(id);
    const auto at = html.find(fmt::format("id=\"fig-{}\"", id));
    ASSERT_NE(at, std::string::npos);
    EXPECT_NE(html.find(command, at), std::string::npos);
    const json spec = json::parse(slurp(d.at(fmt::format("rep-{}.vl.json", id))));
    EXPECT_EQ(spec["data"]["url"], fmt::format("rep-{}.csv", id));
    EXPECT_TRUE(spec.contains("mark"));
    EXPECT_TRUE(fs::exists(d.at(fmt::format("rep-{}.csv", id))));
  }
  // The overhead parts add up to each scheme's overhead against native.
  std::istringstream csv(slurp(d.at("rep-overhead.csv")));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "workload,scheme,component,order,share,cycles,overhead_vs_native");
  std::map<std::string, std::pair<double, double>> sums;  // workload/scheme -> (sum, overhead)
  while (std::getline(csv, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) f.push_back(cell);
    ASSERT_EQ(f.size(), 7u) << line;
    EXPECT_NE(f[1], "native");
    auto& s = sums[f[0] + "/" + f[1]];
    s.first += std::stod(f[4]);
    s.second = std::stod(f[6]);
  }
  EXPECT_EQ(sums.size(), 4u);  // {gups, fork-exit} x {nested, shadow}
  for (const auto& [key, s] : sums) EXPECT_NEAR(s.first, s.second, 1e-9) << key;
  // The table shows every scheme of each workload.
  EXPECT_NE(html.find("<td>shadow</td>"), std::string::npos);
}

TEST(ReportCli, SweepFolderPlotsAnyMetricAgainstAnyAxis) {
  ReportDir d("sweep");
  const std::string sweep = std::string(HVSIM_SOURCE_DIR) + "/tests/data/report/sweep";
  auto r = test::run_hvsim(fmt::format("report {} --out {}", sweep, d.at("s.html")));
  ASSERT_EQ(r.status, 0) << r.err;
  const json spec = json::parse(slurp(d.at("s-sweep.vl.json")));
  ASSERT_EQ(spec["params"].size(), 2u);
  EXPECT_EQ(spec["params"][0]["name"], "metric");
  EXPECT_EQ(spec["params"][0]["value"], "overhead_vs_native");
  EXPECT_EQ(spec["params"][1]["name"], "axis");
  EXPECT_EQ(spec["params"][1]["value"], "tlb.l2_entries");  // the first numeric axis, not the workload
  EXPECT_EQ(spec["params"][1]["bind"]["options"],
            json::array({"workload", "tlb.l2_entries", "costs.vm_exit_cycles"}));
  const std::string data = slurp(d.at("s-sweep.csv"));
  EXPECT_EQ(std::count(data.begin(), data.end(), '\n'), 14);  // header + 13 rows, as in the fixture
  EXPECT_NE(data.find("\"note, with \"\"quotes\"\"\",1536,4000,native"), std::string::npos) << data;
  EXPECT_NE(slurp(d.at("s.html")).find("results.csv"), std::string::npos);
}

// What `hvsim sweep` writes is what `hvsim report` plots: the example experiment, run and
// reported, opens on its first axis (the point id is no axis, the seed the last one).
TEST(ReportCli, ASweepFolderFromHvsimSweep) {
  ReportDir d("real-sweep");
  const std::string exp = std::string(HVSIM_SOURCE_DIR) + "/configs/experiments/issue-example.toml";
  auto r = test::run_hvsim(fmt::format("sweep {} --out {}", exp, d.at("sw")));
  ASSERT_EQ(r.status, 0) << r.err;
  r = test::run_hvsim(fmt::format("report {} --out {}", d.at("sw"), d.at("s.html")));
  ASSERT_EQ(r.status, 0) << r.err;
  const json spec = json::parse(slurp(d.at("s-sweep.vl.json")));
  EXPECT_EQ(spec["params"][1]["value"], "tlb.l2_entries");
  const json options = spec["params"][1]["bind"]["options"];
  EXPECT_EQ(options.back(), "seed");
  for (const json& o : options) EXPECT_NE(o, "point");
  const std::string data = slurp(d.at("s-sweep.csv"));
  EXPECT_EQ(std::count(data.begin(), data.end(), '\n'), 1 + 8 * 3);  // 8 points x 3 schemes
}

TEST(ReportInput, SweepTableColumnsAreAxesSchemeAndMetrics) {
  const SweepTable t =
      parse_sweep_csv("paging.guest_levels,scheme,total_cycles,extra\n4,native,10,x\n5,nested,,y\n", "t.csv");
  EXPECT_EQ(t.axes, (std::vector<std::string>{"paging.guest_levels", "extra"}));
  EXPECT_EQ(t.metrics, (std::vector<std::string>{"total_cycles"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0]["paging.guest_levels"], 4);
  EXPECT_EQ(t.rows[0]["scheme"], "native");
  EXPECT_TRUE(t.rows[1]["total_cycles"].is_null());
  EXPECT_THROW(parse_sweep_csv("a,b\n1,2\n", "t.csv"), InputError);                  // no scheme
  EXPECT_THROW(parse_sweep_csv("scheme,walks\nnative,1,2\n", "t.csv"), InputError);  // ragged
  EXPECT_THROW(parse_sweep_csv("scheme,walks\n\"native,1\n", "t.csv"), InputError);  // open quote
}

TEST(ReportCli, CompareWritesAReportFolder) {
  ReportDir d("compare");
  auto r = test::run_hvsim(fmt::format(
      "compare --workload gups --footprint 8MiB --accesses 4000 --schemes native,nested --report {}",
      d.at("out")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(d.at("out/report.html")));
  EXPECT_TRUE(fs::exists(d.at("out/report-overhead.vl.json")));
  const json saved = json::parse(slurp(d.at("out/results.json")));
  EXPECT_EQ(saved["command"].get<std::string>().rfind("hvsim compare --workload gups", 0), 0u);
  EXPECT_EQ(saved["config"]["paging.guest_levels"], "4");
  // A folder that cannot be made fails before the run.
  r = test::run_hvsim("compare --workload gups --footprint 8MiB --accesses 4000 --report /nonexistent/x/y");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--report /nonexistent/x/y"), std::string::npos) << r.err;
}

TEST(ReportCli, BadInputIsOneLineExitTwoAndNoOutput) {
  ReportDir d("bad");
  const std::string not_result = d.file("other.json", "{\"hello\": 1}\n");
  const std::string not_json = d.file("text.json", "not json at all\n");
  const std::string out = d.at("rep.html");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {fmt::format("report {} --out {}", d.at("missing.json"), out), "missing.json: no such file"},
      {fmt::format("report {} --out {}", not_result, out), "expected an hvsim result"},
      {fmt::format("report {} --out {}", not_json, out), "not valid JSON"},
      {fmt::format("report {} --out {}", d.path.string(), out), "results.csv: no such file"},
      {fmt::format("report {} --out /nonexistent/dir/r.html", not_result), "--out"},
  };
  for (const auto& [args, message] : cases) {
    SCOPED_TRACE(args);
    auto r = test::run_hvsim(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d.path)) ++files;
  EXPECT_EQ(files, 2u);  // only the two inputs written above
}

}  // namespace
}  // namespace hvsim
