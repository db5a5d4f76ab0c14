// End to end: a real program recorded under valgrind, inspected, and simulated by every scheme.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "test_support.h"
#include "workload/trace/hvt_reader.h"
#include "workload/trace/recorder.h"
#include "workload/trace/trace_stats.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

struct Run {
  int status;
  std::string out;  // stdout then stderr
};
Run run(const std::string& args) {
  test::CommandResult r = test::run_hvsim(args);
  return {r.status, r.out + r.err};
}

TEST(TraceRecord, SortRecordedInspectedAndCompared) {
  if (!valgrind_available()) GTEST_SKIP() << "valgrind is not installed (Debian package 'valgrind')";
  fs::path d = fs::temp_directory_path() / ("hvsim_record_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  std::ofstream(d / "in.txt") << "pear\napple\nfig\nbanana\n";
  fs::path out = d / "sort.hvt";
  auto r = run("trace record --out " + out.string() + " -- /usr/bin/sort " + (d / "in.txt").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("apple\nbanana\nfig\npear\n"), std::string::npos) << r.out;  // the program really ran
  ASSERT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(d / "sort.hvt.tmp"));

  auto h = HvtReader::open(out.string());
  EXPECT_EQ(h->metadata()["source"], "valgrind-lackey");
  EXPECT_EQ(h->metadata()["command"], "/usr/bin/sort " + (d / "in.txt").string());
  TraceStats st;
  st.add_all(*h);
  EXPECT_EQ(h->trailer()["exit_code"], 0);
  EXPECT_GT(h->trailer()["duration_s"].get<double>(), 0.0);
  // A dynamically linked program's run: the loader, libc and sort itself.
  EXPECT_GT(st.count(EventKind::kIFetch), 100'000u);
  EXPECT_GT(st.count(EventKind::kLoad), 10'000u);
  EXPECT_GT(st.count(EventKind::kStore), 10'000u);
  EXPECT_GE(st.count(EventKind::kMmap), 5u);      // ld.so maps libc
  EXPECT_GE(st.count(EventKind::kMprotect), 1u);  // RELRO
  EXPECT_GE(st.count(EventKind::kBrk), 1u);
  EXPECT_EQ(st.count(EventKind::kProcessExit), 1u);
  EXPECT_EQ(st.processes(), 1u);
  EXPECT_LT(static_cast<double>(fs::file_size(out)) / st.records(), 2.0);  // bytes per record

  // The failure paths: no program, a program valgrind cannot start.
  auto bad = run("trace record --out " + (d / "x.hvt").string() + " -- /nonexistent/program");
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_FALSE(fs::exists(d / "x.hvt"));

  // Every scheme on the recorded trace, with cross-scheme verification, once `compare` takes
  // --trace.
  auto help = run("compare --help");
  if (help.status != 0 || help.out.find("--trace") == std::string::npos) {
    std::printf("note: 'hvsim compare --trace' not available in this build; skipped the compare step\n");
    return;
  }
  auto cmp = run("compare --trace " + out.string() + " --schemes all --verify");
  EXPECT_EQ(cmp.status, 0) << cmp.out;
}

}  // namespace
}  // namespace hvsim
