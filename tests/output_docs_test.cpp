// docs/output.md documents every metric exactly as the writers declare it (report/metric_list),
// and every key a result object carries is declared.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "report/metric_list.h"
#include "test_support.h"

namespace hvsim {
namespace {

std::string read_doc() {
  std::ifstream in(std::filesystem::path(HVSIM_SOURCE_DIR) / "docs/output.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The result-object table as docs/output.md must hold it.
std::string expected_table() {
  std::string t = "| key | unit | meaning |\n|---|---|---|\n";
  for (const SchemeMetricDef& d : scheme_metric_defs())
    t += "| `" + std::string(d.name) + "` | " + std::string(d.unit) + " | " + std::string(d.doc) + " |\n";
  for (const StructuredMetricDef& d : structured_metric_defs())
    t += "| `" + std::string(d.name) + "` | " + std::string(d.unit) + " | " + std::string(d.doc) + " |\n";
  return t;
}

TEST(OutputDocs, ResultTableListsEveryDeclaredMetric) {
  const std::string doc = read_doc();
  EXPECT_NE(doc.find(expected_table()), std::string::npos)
      << "docs/output.md must contain this table verbatim:\n"
      << expected_table();
}

TEST(OutputDocs, CsvHeaderIsTheDocumentedOne) {
  auto r = test::run_hvsim(
      "compare --workload gups --footprint 8MiB --accesses 1000 --schemes native --csv /dev/stdout");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string header = r.out.substr(r.out.find("workload,scheme,"));
  const std::string line = header.substr(0, header.find('\n'));
  EXPECT_NE(read_doc().find("```\n" + line + "\n```"), std::string::npos) << line;
}

// A cold run: a warm-up adds no key to a result (it is recorded in workload.warmup).
TEST(OutputDocs, EveryKeyOfAResultIsDeclared) {
  const std::string path = std::filesystem::temp_directory_path() / "hvsim-output-docs.json";
  auto r = test::run_hvsim(
      "compare --workload fork-exit --footprint 8MiB --accesses 5000 --warmup 0 --json " + path);
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  std::filesystem::remove(path);
  std::set<std::string> declared = {"workload", "scheme", "layout"};
  for (const SchemeMetricDef& d : scheme_metric_defs()) declared.insert(std::string(d.name));
  for (const StructuredMetricDef& d : structured_metric_defs()) declared.insert(std::string(d.name));
  for (const auto& result : j["results"])
    for (const auto& [key, _] : result.items()) EXPECT_TRUE(declared.count(key)) << key << " is not declared";
}

}  // namespace
}  // namespace hvsim
