// The report in a real browser: headless Chromium opens a page drawn from a compare result with
// epochs, a cluster result and a sweep table, and the page's own summary (written once every
// figure's vega-embed promise settled) must show marks in every figure and no JavaScript error.
// The page and a screenshot stay in BUILD/report-browser/. Skipped where Chromium cannot start.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "report_test_support.h"
#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string find_chromium() {
  if (const char* env = std::getenv("HVSIM_CHROMIUM")) return env;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"})
      if (::access((fs::path(dir) / name).c_str(), X_OK) == 0) return (fs::path(dir) / name).string();
  return "";
}

std::string unescape_html(std::string s) {
  for (auto [from, to] : {std::pair{"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1))
      s.replace(at, strlen(from), to);
  return s;
}

// Writes the inputs and the report into `dir`; returns the page's path.
std::string make_report(const fs::path& dir) {
  const auto at = [&](const char* name) { return (dir / name).string(); };
  auto r = test::run_hvsim(
      fmt::format("compare --workload gups,fork-exit --footprint 8MiB --accesses 8000 --epoch 1000 "
                  "--schemes native,nested,shadow,switching,agile --json {}",
                  at("compare.json")));
  EXPECT_EQ(r.status, 0) << r.err;
  std::ofstream(dir / "vms.csv") << "start,end,memory\n0,10,6GiB\n1,,6GiB\n20,30,4096\n";
  std::ofstream(dir / "hosts.csv") << "memory\n8GiB\n8GiB\n";
  r =
      test::run_hvsim(fmt::format("cluster --pods {} --nodes {} --format csv --set cluster.granule=1GiB "
                                  "--set cluster.hypervisor_memory=0 "
                                  "--set cluster.pci_hole=0 --json {}",
                                  at("vms.csv"), at("hosts.csv"), at("cluster.json")));
  EXPECT_EQ(r.status, 0) << r.err;
  r = test::run_hvsim(fmt::format("report {} {} {}/tests/data/report/sweep --out {}", at("compare.json"),
                                  at("cluster.json"), HVSIM_SOURCE_DIR, at("report.html")));
  EXPECT_EQ(r.status, 0) << r.err;
  return at("report.html");
}

TEST(ReportBrowser, EveryFigureRendersMarksWithoutErrors) {
  const std::string chromium = find_chromium();
  if (chromium.empty())
    GTEST_SKIP() << "no chromium on PATH (Debian: apt-get install chromium, or make deps)";
  const fs::path dir = fs::path(HVSIM_BUILD_DIR) / "report-browser";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string page = make_report(dir);
  ASSERT_FALSE(HasFailure());
  size_t specs = 0;
  for (const auto& e : fs::directory_iterator(dir)) specs += e.path().string().ends_with(".vl.json");
  EXPECT_GE(specs, 10u);  // compare (4), epochs (3), sweep (1), cluster (2)

  const fs::path shot = dir / "report.png", dom = dir / "dom.html", log = dir / "chromium.log";
  const std::string cmd = fmt::format(
      "timeout 120 {} --headless=new --no-sandbox --disable-gpu --no-first-run --hide-scrollbars "
      "--virtual-time-budget=5000 --window-size=1200,8000 --screenshot={} --dump-dom file://{} >{} 2>{}",
      chromium, shot.string(), fs::absolute(page).string(), dom.string(), log.string());
  const int rc = std::system(cmd.c_str());
  const std::string out = test::slurp(dom.string());
  if (out.empty()) GTEST_SKIP() << "chromium cannot start here (status " << rc << "); see " << log.string();

  const std::string open = "<pre id=\"hvsim-render-summary\">";
  const auto from = out.find(open);
  ASSERT_NE(from, std::string::npos) << "no summary element in " << dom.string();
  const auto to = out.find("</pre>", from);
  const std::string text = unescape_html(out.substr(from + open.size(), to - from - open.size()));
  ASSERT_FALSE(text.empty()) << "the figures did not finish rendering; see " << dom.string();
  const json summary = json::parse(text);
  EXPECT_EQ(summary["errors"], json::array()) << text;
  EXPECT_EQ(summary["figures"].size(), specs) << text;
  for (const json& f : summary["figures"]) {
    EXPECT_GT(f["marks"].get<int>(), 0) << f.dump();
    EXPECT_FALSE(f.contains("error")) << f.dump();
  }
  EXPECT_GT(fs::exists(shot) ? fs::file_size(shot) : 0, 10000u) << "no screenshot at " << shot.string();
}

}  // namespace
}  // namespace hvsim
