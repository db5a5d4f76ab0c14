// Output paths (--json, --csv): checked before the run; devices and FIFOs written in place;
// symlinks followed; one file never named twice; temporary files unique and never left behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.h"
#include "report/atomic_file.h"
#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using test::run_hvsim;

const std::string kRun =
    "compare --workload stream --accesses 2000 --footprint 1MiB --schemes native,nested ";

fs::path temp_dir() {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path d = fs::temp_directory_path() /
               ("hvsim_out_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

// Everything in `dir` but the names given: temporary files left behind show up here.
std::vector<std::string> others(const fs::path& dir, std::initializer_list<const char*> expected) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (std::find(expected.begin(), expected.end(), name) == expected.end()) out.push_back(name);
  }
  return out;
}

// A character device of our own (as root), else the system's: the test never risks /dev itself
// when it can help it.
fs::path char_device(const fs::path& dir, const char* name, unsigned minor) {
  fs::path p = dir / name;
  if (::mknod(p.c_str(), S_IFCHR | 0666, makedev(1, minor)) == 0) return p;
  return fs::path("/dev") / name;
}

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST(OutputPaths, DeviceIsWrittenInPlaceNotReplaced) {
  auto d = temp_dir();
  fs::path null = char_device(d, "null", 3);
  auto r = run_hvsim(kRun + "--json " + null.string() + " --csv " + (d / "r.csv").string());
  ASSERT_EQ(r.status, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(null.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  EXPECT_EQ(others(d, {"null", "r.csv"}), std::vector<std::string>{});
  fs::remove_all(d);
}

TEST(OutputPaths, StdoutRedirectedToAFileGetsTheResultsAfterTheTable) {
  // run_hvsim sends stdout to a file: /dev/stdout reaches it through /proc/self/fd/1.
  auto r = run_hvsim(kRun + "--json /dev/stdout");
  ASSERT_EQ(r.status, 0) << r.err;
  size_t brace = r.out.find("\n{");
  ASSERT_NE(brace, std::string::npos) << r.out;
  EXPECT_EQ(r.out.rfind("workload: stream", 0), 0u) << r.out;  // the table is kept
  EXPECT_EQ(nlohmann::json::parse(r.out.substr(brace))["results"].size(), 2u);
}

TEST(OutputPaths, FullDeviceIsAnErrorNamingThePath) {
  auto d = temp_dir();
  fs::path full = char_device(d, "full", 7);
  auto r = run_hvsim(kRun + "--json " + full.string());
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.err, "hvsim: error: --json " + full.string() + ": cannot write: No space left on device\n");
  struct stat st {};
  ASSERT_EQ(::stat(full.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  fs::remove_all(d);
}

TEST(OutputPaths, FifoIsWrittenInPlace) {
  auto d = temp_dir();
  fs::path fifo = d / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = slurp(fifo); });  // opening blocks until hvsim opens it to write
  auto r = run_hvsim(kRun + "--json " + fifo.string());
  reader.join();
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(got);
  EXPECT_EQ(j["results"].size(), 2u);
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  fs::remove_all(d);
}

TEST(OutputPaths, SymlinkIsFollowedAndStays) {
  auto d = temp_dir();
  fs::create_directories(d / "real");
  std::ofstream(d / "real" / "r.json") << "old";
  fs::create_symlink("real/r.json", d / "link.json");
  fs::create_symlink("real/new.csv", d / "dangling.csv");  // names the file to create
  auto r =
      run_hvsim(kRun + "--json " + (d / "link.json").string() + " --csv " + (d / "dangling.csv").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(d / "link.json"));
  EXPECT_TRUE(fs::is_symlink(d / "dangling.csv"));
  EXPECT_EQ(nlohmann::json::parse(slurp(d / "real" / "r.json"))["results"].size(), 2u);
  EXPECT_EQ(slurp(d / "real" / "new.csv").rfind("workload,scheme,", 0), 0u);
  EXPECT_EQ(others(d, {"real", "link.json", "dangling.csv"}), std::vector<std::string>{});
  EXPECT_EQ(others(d / "real", {"r.json", "new.csv"}), std::vector<std::string>{});
  fs::remove_all(d);
}

TEST(OutputPaths, ReplacedFileKeepsItsPermissions) {
  auto d = temp_dir();
  std::ofstream(d / "r.json") << "old";
  fs::permissions(d / "r.json", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto r = run_hvsim(kRun + "--json " + (d / "r.json").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(fs::status(d / "r.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_NE(slurp(d / "r.json"), "old");
  fs::remove_all(d);
}

TEST(OutputPaths, TheSameFileTwiceIsRefusedBeforeTheRun) {
  auto d = temp_dir();
  std::ofstream(d / "exists.json") << "old";
  fs::create_symlink("exists.json", d / "alias.json");
  fs::create_hard_link(d / "exists.json", d / "hard.json");
  fs::create_directories(d / "sub");
  const std::string a = (d / "new.json").string();
  struct Case {
    std::string json, csv;
  } cases[] = {
      {a, a},
      {a, (d / "sub" / ".." / "new.json").string()},
      {a, (d / "." / "new.json").string()},
      {(d / "exists.json").string(), (d / "alias.json").string()},
      {(d / "exists.json").string(), (d / "hard.json").string()},
  };
  for (const Case& c : cases) {
    auto r = run_hvsim(kRun + "--json " + c.json + " --csv " + c.csv);
    EXPECT_EQ(r.status, 2) << c.csv;
    EXPECT_EQ(r.err, "hvsim: error: --csv " + c.csv + ": is the same file as --json " + c.json +
                         "; expected a different file for each output\n");
    EXPECT_TRUE(r.out.empty()) << r.out;  // nothing simulated
    EXPECT_FALSE(fs::exists(d / "new.json"));
    EXPECT_EQ(slurp(d / "exists.json"), "old");
  }
  // Nor may an output overwrite an input.
  std::ofstream(d / "p.toml") << "[paging]\nguest_levels = 4\n";
  auto r = run_hvsim(kRun + "--profile " + (d / "p.toml").string() + " --json " + (d / "p.toml").string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("is the file --profile reads"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(d / "p.toml"), "[paging]\nguest_levels = 4\n");
  fs::remove_all(d);
}

TEST(OutputPaths, UnusablePathsFailBeforeTheRun) {
  auto d = temp_dir();
  std::ofstream(d / "plain") << "x";
  struct Case {
    std::string args, expect;
  } cases[] = {
      {"--json ''", "hvsim: error: --json '': the file name is empty; expected a path to write to\n"},
      {"--csv ''", "hvsim: error: --csv '': the file name is empty; expected a path to write to\n"},
      {"--json " + (d / "missing" / "r.json").string(),
       "hvsim: error: --json " + (d / "missing" / "r.json").string() + ": cannot use the directory '" +
           (d / "missing").string() + "': No such file or directory\n"},
      {"--json " + d.string(), "hvsim: error: --json " + d.string() + ": is a directory; expected a file\n"},
      {"--csv " + d.string() + "/",
       "hvsim: error: --csv " + d.string() + "/: names a directory; expected a file name\n"},
      {"--json " + (d / "plain" / "r.json").string(),
       "hvsim: error: --json " + (d / "plain" / "r.json").string() + ": cannot use '" +
           (d / "plain" / "r.json").string() + "': Not a directory\n"},
      {"--json /proc/self/r.json",
       "hvsim: error: --json /proc/self/r.json: cannot create a file in '/proc/self': "},
  };
  for (const Case& c : cases) {
    auto r = run_hvsim(kRun + c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_EQ(lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.substr(0, c.expect.size()), c.expect);
    EXPECT_TRUE(r.out.empty()) << c.args << ": " << r.out;  // failed before simulating anything
  }
  if (::geteuid() != 0) {  // root may write anywhere
    fs::create_directories(d / "ro");
    fs::permissions(d / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    auto r = run_hvsim(kRun + "--json " + (d / "ro" / "r.json").string());
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
    fs::permissions(d / "ro", fs::perms::owner_all);
  }
  fs::remove_all(d);
}

TEST(OutputPaths, FailedWriteKeepsTheOldFileAndLeavesNoTemporary) {
  auto d = temp_dir();
  std::ofstream(d / "r.json") << "old";
  // A file-size limit makes the write fail part-way (EFBIG instead of the signal).
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 100;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string error;
  try {
    write_output_file({"--json", (d / "r.json").string()}, std::string(1000, 'x'));
  } catch (const InputError& e) {
    error = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(error, "--json " + (d / "r.json").string() + ": cannot write: File too large");
  EXPECT_EQ(slurp(d / "r.json"), "old");
  EXPECT_EQ(others(d, {"r.json"}), std::vector<std::string>{});
  fs::remove_all(d);
}

TEST(OutputPaths, TemporaryFilesAreUniqueAndGoAwayOnSignals) {
  auto d = temp_dir();
  const std::string target = (d / "r.json").string();
  {
    TempFile a(target, "--json r.json"), b(target, "--json r.json");
    EXPECT_NE(a.path(), b.path());
    EXPECT_EQ(fs::path(a.path()).parent_path(), d);
    EXPECT_EQ(others(d, {}).size(), 2u);
  }
  EXPECT_EQ(others(d, {}), std::vector<std::string>{});
  for (int sig : {SIGINT, SIGTERM}) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      TempFile t(target, "--json r.json");
      if (::write(t.fd(), "partial", 7) != 7) ::_exit(10);
      ::raise(sig);
      ::_exit(11);  // not reached: the signal ends the process
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
    EXPECT_EQ(others(d, {}), std::vector<std::string>{}) << "signal " << sig;
  }
  fs::remove_all(d);
}

}  // namespace hvsim
