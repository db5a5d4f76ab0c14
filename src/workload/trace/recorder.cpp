#include "workload/trace/recorder.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/hvt_writer.h"
#include "workload/trace/lackey_reader.h"

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
  std::string cmd = valgrind + " --version >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

RecordResult record_trace(const RecordOptions& opt) {
  if (opt.argv.empty())
    throw InputError("trace record: no program given (use: hvsim trace record -- CMD ARGS...)");
  if (!valgrind_available(opt.valgrind))
    throw InputError("trace record: '" + opt.valgrind +
                     "' not found; install valgrind (Debian package 'valgrind')");
  const auto t0 = std::chrono::steady_clock::now();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw InputError(std::string("trace record: pipe: ") + std::strerror(errno));

  // valgrind writes its log — lackey's records and the SYSCALL lines — to the pipe; the
  // program keeps its own stdin/stdout/stderr.
  std::vector<std::string> args = {opt.valgrind, "--tool=lackey", "--trace-mem=yes", "--trace-syscalls=yes",
                                   "--log-fd=" + std::to_string(fds[1])};
  args.insert(args.end(), opt.argv.begin(), opt.argv.end());
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  Child child;
  child.pid = ::fork();
  if (child.pid < 0) throw InputError(std::string("trace record: fork: ") + std::strerror(errno));
  if (child.pid == 0) {
    ::close(fds[0]);
    int fl = ::fcntl(fds[1], F_GETFD);
    ::fcntl(fds[1], F_SETFD, fl & ~FD_CLOEXEC);
    ::execvp(cargv[0], cargv.data());
    _exit(127);
  }
  ::close(fds[1]);
  struct FdGuard {
    int fd;
    ~FdGuard() { ::close(fd); }
  } guard{fds[0]};

  std::string cmdline;
  for (auto& a : opt.argv) cmdline += (cmdline.empty() ? "" : " ") + a;
  nlohmann::json meta = {{"source", "valgrind-lackey"},
                         {"command", cmdline},
                         {"argv", opt.argv},
                         {"created", utc_now_iso8601()},
                         {"hvsim_version", HVSIM_VERSION},
                         {"ifetch", opt.ifetch}};
  HvtWriter writer(opt.out, meta);
  LackeyReader::Options lo;
  lo.ifetch = opt.ifetch;
  LackeyReader reader(ByteInput::from_fd(fds[0], "valgrind log of '" + cmdline + "'"), lo);
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
                     writer.records() / 1e6, reader.bytes_read() / 1e6, s);
      }
    }
  }
  int st = child.wait();
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && reader.lines_read() == 0)
    throw InputError("trace record: could not start '" + opt.valgrind + " " + cmdline + "'");
  if (reader.lines_read() == 0)
    throw InputError("trace record: valgrind produced no output for '" + cmdline + "'");

  RecordResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = reader.exit_code() >= 0 ? reader.exit_code() : (WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  r.lackey_bytes = reader.bytes_read();
  r.lackey_lines = reader.lines_read();
  writer.finish({{"duration_s", r.seconds},
                 {"exit_code", r.exit_code},
                 {"lackey_bytes", r.lackey_bytes},
                 {"lackey_lines", r.lackey_lines}});
  r.records = writer.records();
  r.out_bytes = writer.bytes();
  return r;
}

}  // namespace hvsim
