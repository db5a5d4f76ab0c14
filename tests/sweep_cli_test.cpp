// `hvsim sweep` end to end: results.csv, resuming after a kill, shards run from the generated
// Slurm array script and merged, mpirun against a serial run, a changed experiment, bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using test::run_hvsim;

fs::path temp_dir() {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  fs::path d = fs::temp_directory_path() / ("hvsim_sweep_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

// Six passes (three workloads x two guest page sizes) of four points each.
std::string experiment(const fs::path& dir, const std::string& accesses = "20000") {
  return write_file(dir / "exp.toml",
                    "[experiment]\nworkloads = [\"gups\", \"chase\", \"zipf\"]\n"
                    "schemes = [\"native\", \"nested\", \"shadow\"]\naccesses = " +
                        accesses +
                        "\nfootprint = \"16MiB\"\n[axes]\n\"guest.page_size\" = [\"4K\", \"2M\"]\n"
                        "\"tlb.l2_entries\" = [96, 1536]\n\"costs.vm_exit_cycles\" = [800, 6400]\n");
}

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

std::vector<std::string> files_in(const fs::path& d) {
  std::vector<std::string> out;
  for (const auto& f : fs::directory_iterator(d)) out.push_back(f.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A serial run of `exp` into dir/name; returns its results.csv.
std::string serial(const std::string& exp, const fs::path& out) {
  auto r = run_hvsim("sweep " + exp + " --out " + out.string());
  EXPECT_EQ(r.status, 0) << r.err;
  return slurp(out / "results.csv");
}

TEST(SweepCli, WritesOneRowPerPointAndSchemeAndResumesWithoutRunning) {
  const fs::path d = temp_dir();
  const std::string exp = experiment(d);
  auto r = run_hvsim("sweep " + exp + " --out " + (d / "out").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("24 points in 6 passes (36 scheme instances simulated for 72 point x scheme results)"),
            std::string::npos)
      << r.out;
  const std::string csv = slurp(d / "out" / "results.csv");
  EXPECT_EQ(lines(csv), 1u + 24u * 3u);
  EXPECT_EQ(csv.substr(0, csv.find('\n'))
                .rfind("point,seed,guest.page_size,tlb.l2_entries,costs.vm_exit_cycles,"
                       "workload,scheme,",
                       0),
            0u)
      << csv.substr(0, 200);
  EXPECT_EQ(files_in(d / "out" / "points").size(), 24u);
  // One log line per finished point when stderr is not a terminal.
  EXPECT_EQ(lines(r.err), 24u) << r.err;
  EXPECT_NE(r.err.find("[24/24] "), std::string::npos);
  auto again = run_hvsim("sweep " + exp + " --out " + (d / "out").string());
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("0 points to run in 0 passes"), std::string::npos) << again.out;
  EXPECT_EQ(slurp(d / "out" / "results.csv"), csv);
  fs::remove_all(d);
}

class SweepKill : public ::testing::TestWithParam<int> {};

TEST_P(SweepKill, AKilledSweepLosesNothingFinishedAndResumesToTheSameResults) {
  const fs::path d = temp_dir();
  const std::string exp = experiment(d, "300000");
  const std::string reference = serial(exp, d / "reference");
  const fs::path out = d / "out";
  const std::string pid_file = (d / "pid").string();
  std::system(("(" + std::string(HVSIM_BINARY) + " sweep " + exp + " --out " + out.string() +
               " >/dev/null 2>&1 & echo $! >" + pid_file + ")")
                  .c_str());
  const pid_t pid = std::stoi(slurp(pid_file));
  // Kill it once the first pass has written its points, long before the sixth has.
  const auto t0 = std::chrono::steady_clock::now();
  // (A point being written shows first as a temporary file: wait for a finished one.)
  auto finished = [&] {
    if (!fs::exists(out / "points")) return size_t{0};
    const auto names = files_in(out / "points");
    return static_cast<size_t>(
        std::count_if(names.begin(), names.end(), [](auto& n) { return n.front() != '.'; }));
  };
  while (finished() == 0 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(120))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, GetParam());
  while (::kill(pid, 0) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto left = files_in(out / "points");
  ASSERT_GE(left.size(), 1u);
  ASSERT_LT(left.size(), 24u) << "the sweep ended before it was killed";
  EXPECT_FALSE(fs::exists(out / "results.csv"));
  size_t temporary = 0;
  for (const auto& f : left) temporary += f.front() == '.';
  if (GetParam() == SIGTERM) {
    EXPECT_EQ(temporary, 0u) << "a temporary file outlived SIGTERM";
  }
  auto r = run_hvsim("sweep " + exp + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(std::to_string(24 - (left.size() - temporary)) + " points to run"), std::string::npos)
      << r.out;
  EXPECT_EQ(files_in(out / "points").size() - temporary, 24u);
  EXPECT_EQ(slurp(out / "results.csv"), reference);
  fs::remove_all(d);
}

INSTANTIATE_TEST_SUITE_P(Signals, SweepKill, ::testing::Values(SIGTERM, SIGKILL),
                         [](const auto& info) { return info.param == SIGTERM ? "Term" : "Kill"; });

TEST(SweepCli, SlurmArrayShardsMergeToTheSerialResults) {
  const fs::path d = temp_dir();
  const std::string exp = experiment(d);
  const std::string reference = serial(exp, d / "reference");
  const fs::path out = d / "out";
  auto r = run_hvsim("sweep " + exp + " --out " + out.string() + " --slurm --array-size 2 --partition debug");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string script = slurp(out / "sweep.sbatch");
  EXPECT_NE(script.find("#SBATCH --array=0-1\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --partition=debug\n"), std::string::npos) << script;
  EXPECT_NE(script.find("--shard \"${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}\""), std::string::npos);
  // Run the array's tasks by hand, as sbatch would, then merge.
  auto task = [&](int id) {
    return std::system(("SLURM_ARRAY_TASK_ID=" + std::to_string(id) + " SLURM_ARRAY_TASK_COUNT=2 bash " +
                        (out / "sweep.sbatch").string() + " >" + (d / "task.log").string() + " 2>&1")
                           .c_str());
  };
  ASSERT_EQ(task(0), 0) << slurp(d / "task.log");
  EXPECT_FALSE(fs::exists(out / "results.csv"));  // a shard leaves merging to --merge
  auto partial = run_hvsim("sweep --merge " + out.string());
  ASSERT_EQ(partial.status, 0) << partial.err;
  EXPECT_NE(partial.out.find("results.csv: 12 of 24 points\nmissing 12 points:\n"), std::string::npos)
      << partial.out;
  ASSERT_EQ(task(1), 0) << slurp(d / "task.log");
  auto merged = run_hvsim("sweep --merge " + out.string());
  ASSERT_EQ(merged.status, 0) << merged.err;
  EXPECT_NE(merged.out.find("results.csv: 24 of 24 points\n"), std::string::npos) << merged.out;
  EXPECT_EQ(slurp(out / "results.csv"), reference);
  fs::remove_all(d);
}

TEST(SweepCli, MpirunGivesTheSerialResults) {
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "mpirun not found (install openmpi-bin); the MPI sweep is not tested";
#ifndef HVSIM_TEST_MPI
  GTEST_SKIP() << "hvsim was built without MPI (libopenmpi-dev missing at configure time)";
#endif
  const fs::path d = temp_dir();
  const std::string exp = experiment(d);
  const std::string reference = serial(exp, d / "reference");
  const fs::path out = d / "out";
  // Under AddressSanitizer, LeakSanitizer reports Open MPI's own allocations at exit (no hvsim
  // frame in them): leak checking is off for the ranks, every other check stays on.
  const std::string cmd = "ASAN_OPTIONS=detect_leaks=0 mpirun --oversubscribe --allow-run-as-root -np 3 " +
                          std::string(HVSIM_BINARY) + " sweep " + exp + " --out " + out.string() + " >" +
                          (d / "mpi.log").string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(d / "mpi.log");
  const std::string log = slurp(d / "mpi.log");
  EXPECT_NE(log.find("24 points to run in 6 passes (MPI)"), std::string::npos) << log;
  auto sorted = [](const std::string& csv) {
    std::vector<std::string> rows;
    std::stringstream ss(csv);
    for (std::string line; std::getline(ss, line);) rows.push_back(line);
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  const std::string mpi = slurp(out / "results.csv");
  EXPECT_EQ(sorted(mpi), sorted(reference));
  EXPECT_EQ(mpi, reference);
  fs::remove_all(d);
}

// A real Slurm: tools/slurm_local_check.sh starts munged, slurmctld and slurmd on localhost when
// none answers, submits the sweep's array script with sbatch and compares the merged results with
// a serial run. Opt-in (it writes /etc/slurm/slurm.conf where there is none): HVSIM_SLURM_TEST=1.
TEST(SweepCli, ARealSlurmArrayGivesTheSerialResults) {
  if (!std::getenv("HVSIM_SLURM_TEST"))
    GTEST_SKIP() << "set HVSIM_SLURM_TEST=1 to start a single-node Slurm here and submit the array to it";
  const fs::path d = temp_dir();
  const std::string cmd = fmt::format(
      "{0}/tools/slurm_local_check.sh {1} {0}/configs/experiments/issue-example.toml {2} >{3} 2>&1",
      HVSIM_SOURCE_DIR, HVSIM_BINARY, (d / "work").string(), (d / "log").string());
  const int rc = std::system(cmd.c_str());
  const std::string log = slurp(d / "log");
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) GTEST_SKIP() << log;
  ASSERT_EQ(rc, 0) << log;
  EXPECT_NE(log.find("equals the serial run's"), std::string::npos) << log;
  fs::remove_all(d);
}

TEST(SweepCli, AChangedExperimentIsReportedAndItsOldPointsLeftOut) {
  const fs::path d = temp_dir();
  const std::string exp =
      write_file(d / "exp.toml",
                 "[experiment]\nworkloads = [\"gups\"]\nschemes = [\"native\", \"nested\"]\n"
                 "accesses = 5000\nfootprint = \"8MiB\"\n[axes]\n\"tlb.l2_entries\" = [96, 192]\n");
  ASSERT_EQ(run_hvsim("sweep " + exp + " --out " + (d / "out").string()).status, 0);
  write_file(d / "exp.toml",
             "[experiment]\nworkloads = [\"gups\"]\nschemes = [\"native\", \"nested\"]\n"
             "accesses = 5000\nfootprint = \"8MiB\"\n[axes]\n\"tlb.l2_entries\" = [192, 384]\n");
  auto r = run_hvsim("sweep " + exp + " --out " + (d / "out").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("the experiment differs from the one this folder holds; 1 finished points are shared"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(" gups tlb.l2_entries=96 is not a point of the experiment any more"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("1 points to run"), std::string::npos) << r.out;
  const std::string csv = slurp(d / "out" / "results.csv");
  EXPECT_EQ(lines(csv), 1u + 2u * 2u);
  EXPECT_EQ(csv.find(",96,gups,"), std::string::npos);
  auto merged = run_hvsim("sweep --merge " + (d / "out").string());
  EXPECT_NE(merged.out.find("1 point files belong to no point of the experiment"), std::string::npos)
      << merged.out;
  fs::remove_all(d);
}

struct BadSweep {
  std::string name, body, args, expected;
};

// Named by its case in test listings, not as bytes.
void PrintTo(const BadSweep& c, std::ostream* os) { *os << c.name; }

class SweepBadInput : public ::testing::TestWithParam<BadSweep> {};

TEST_P(SweepBadInput, OneLineExitTwoAndNoOutput) {
  const fs::path d = temp_dir();
  const BadSweep& c = GetParam();
  write_file(d / "exp.toml",
             "[experiment]\nworkloads = [\"gups\"]\nschemes = [\"native\"]\naccesses = 1000\n" + c.body);
  write_file(d / "file", "x");
  fs::create_directories(d / "other");
  write_file(d / "other" / "notes.txt", "mine");
  std::string args = c.args;
  for (auto at = args.find("@"); at != std::string::npos; at = args.find("@"))
    args.replace(at, 1, d.string());
  auto r = run_hvsim("sweep " + args);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "out"));
  EXPECT_EQ(files_in(d / "other"), std::vector<std::string>{"notes.txt"});
  fs::remove_all(d);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, SweepBadInput,
    ::testing::Values(
        BadSweep{"UnknownKey", "[set]\n\"tlb.l2_entriez\" = 3\n", "@/exp.toml --out @/out",
                 "exp.toml:6: unknown key 'tlb.l2_entriez'"},
        BadSweep{"BadValue", "[axes]\n\"guest.page_size\" = [\"4K\", \"3M\"]\n", "@/exp.toml --out @/out",
                 "exp.toml:6: guest.page_size: '3M' is not valid"},
        BadSweep{"EmptyAxis", "[axes]\n\"tlb.l2_entries\" = []\n", "@/exp.toml --out @/out",
                 "exp.toml:6: axis 'tlb.l2_entries' is empty"},
        BadSweep{"BadShard", "", "@/exp.toml --out @/out --shard 2/2", "--shard '2/2': expected i/N"},
        BadSweep{"MissingFile", "", "@/nope.toml --out @/out", "nope.toml"},
        BadSweep{"OutIsAFile", "", "@/exp.toml --out @/file", "not a folder"},
        BadSweep{"OutHoldsOtherFiles", "", "@/exp.toml --out @/other", "holds other files and no sweep.json"},
        BadSweep{"OutParentMissing", "", "@/exp.toml --out @/no/such/out", "does not exist"},
        BadSweep{"MergeNotASweep", "", "--merge @/other", "sweep.json"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace hvsim
