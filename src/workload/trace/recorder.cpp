#include "workload/trace/recorder.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/temp_files.h"
#include "workload/trace/hvt_writer.h"
#include "workload/trace/process_logs.h"

extern char** environ;

namespace hvsim {
namespace {

// Kills and reaps the child if recording stops early.
struct Child {
  pid_t pid = -1;
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      int st;
      ::waitpid(pid, &st, 0);
    }
  }
  int wait() {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
    return st;
  }
};

// Starts `argv` directly (argv[0] looked up in PATH), never through a shell, so that no
// argument is ever interpreted. With `quiet` its stdout and stderr go to /dev/null. Returns the
// pid, or -1 with errno set.
pid_t spawn(const std::vector<std::string>& argv, bool quiet) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (quiet) {
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  }
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  return pid;
}

// The per-process logs' directory, removed when recording ends however it ends (and by the
// signal handler when a signal ends it).
struct LogDir {
  std::string path;
  TempGuard guard;
  explicit LogDir(std::string p) : path(std::move(p)), guard(path, true) {}
  ~LogDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// valgrind expands % in --log-file; the directory part must stay literal.
std::string escape_percent(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

}  // namespace

std::string utc_now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool valgrind_available(const std::string& valgrind) {
  pid_t pid = spawn({valgrind, "--version"}, true);
  if (pid < 0) return false;
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return false;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

std::string describe_exit(const RecordResult& r) {
  if (r.signal > 0) {
    const char* abbrev = sigabbrev_np(r.signal);
    return "killed by signal " + std::to_string(r.signal) +
           (abbrev ? std::string(" (SIG") + abbrev + ")" : "");
  }
  return "exit code " + std::to_string(r.exit_code);
}

RecordResult record_trace(const RecordOptions& opt) {
  if (opt.argv.empty())
    throw InputError("trace record: no program given (use: hvsim trace record -- CMD ARGS...)");
  if (!valgrind_available(opt.valgrind))
    throw InputError("trace record: '" + opt.valgrind +
                     "' not found or not runnable; install valgrind (Debian package 'valgrind')");
  const auto t0 = std::chrono::steady_clock::now();

  std::string cmdline;
  for (auto& a : opt.argv) cmdline += (cmdline.empty() ? "" : " ") + a;
  nlohmann::json meta = {{"source", "valgrind-lackey"},
                         {"command", cmdline},
                         {"argv", opt.argv},
                         {"created", utc_now_iso8601()},
                         {"hvsim_version", HVSIM_VERSION},
                         {"ifetch", opt.ifetch}};
  // The output first: a path that cannot be written fails before the program runs.
  HvtWriter writer(opt.out, meta);

  // One log per process (valgrind expands %p to each one's pid): lackey's records do not say
  // which process made them, so processes sharing one log could not be told apart. The program
  // keeps its own stdin/stdout/stderr.
  LogDir logs(create_temp_directory((std::filesystem::temp_directory_path() / "hvsim-record").string()));
  std::vector<std::string> args = {opt.valgrind, "--tool=lackey", "--trace-mem=yes", "--trace-syscalls=yes",
                                   "--log-file=" + escape_percent(logs.path) + "/%p.log"};
  args.insert(args.end(), opt.argv.begin(), opt.argv.end());
  Child child;
  child.pid = spawn(args, false);
  if (child.pid < 0)
    throw InputError("trace record: cannot start '" + opt.valgrind + "': " + std::strerror(errno));

  LackeyReader::Options lo;
  lo.ifetch = opt.ifetch;
  ProcessLogs reader(logs.path, child.pid, lo);
  std::vector<Event> batch(16 * 1024);
  auto last_report = t0;
  const bool tty = opt.progress && ::isatty(STDERR_FILENO);
  while (size_t n = reader.next_batch(batch)) {
    writer.write(std::span<const Event>(batch.data(), n));
    if (tty) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_report > std::chrono::milliseconds(250)) {
        last_report = now;
        double s = std::chrono::duration<double>(now - t0).count();
        std::fprintf(stderr, "\rrecording: %.1f M events, %.1f MB of lackey text, %.1f s",
                     writer.records() / 1e6, reader.bytes() / 1e6, s);
      }
    }
  }
  const int st = child.wait();
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!reader.root_log_seen()) {
    std::string how = WIFEXITED(st)     ? "exit status " + std::to_string(WEXITSTATUS(st))
                      : WIFSIGNALED(st) ? "signal " + std::to_string(WTERMSIG(st))
                                        : "status " + std::to_string(st);
    throw InputError("trace record: valgrind did not run '" + cmdline + "' (" + how +
                     "; its message, if any, is above)");
  }

  RecordResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (WIFSIGNALED(st))
    r.signal = WTERMSIG(st);
  else
    r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.lackey_bytes = reader.bytes();
  r.lackey_lines = reader.lines();
  r.processes = reader.processes();
  nlohmann::json trailer = {{"duration_s", r.seconds},
                            {"lackey_bytes", r.lackey_bytes},
                            {"lackey_lines", r.lackey_lines},
                            {"processes", r.processes}};
  if (r.signal > 0) {
    trailer["exit_code"] = nullptr;
    trailer["signal"] = r.signal;
    if (const char* abbrev = sigabbrev_np(r.signal)) trailer["signal_name"] = std::string("SIG") + abbrev;
  } else {
    trailer["exit_code"] = r.exit_code;
  }
  writer.finish(trailer);
  r.records = writer.records();
  r.out_bytes = writer.bytes();
  return r;
}

}  // namespace hvsim
