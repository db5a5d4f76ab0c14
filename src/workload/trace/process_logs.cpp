#include "workload/trace/process_logs.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/error.h"
#include "workload/trace/line_reader.h"

namespace hvsim {

struct ProcessLogs::Log {
  uint64_t pid = 0;
  int fd = -1;
  int pidfd = -1;  // watches the process while it runs
  bool ended = false, claimed = false;
  Log() = default;
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;
  ~Log() {
    if (fd >= 0) ::close(fd);
    if (pidfd >= 0) ::close(pidfd);
  }
};

namespace {

// Logs found but not yet read keep their file and process descriptors; beyond this many, the
// rest stay in the directory until they are needed.
constexpr size_t kMaxWaitingLogs = 256;
// Read parts of a log are given back to the file system in steps of this size.
constexpr uint64_t kPunchStep = 1 << 20;

int open_pidfd(uint64_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
}

// Whether `pid` has ended (gone, or a zombie), for kernels without pidfd_open.
bool pid_gone(uint64_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), {});
  size_t p = s.rfind(')');
  return p == std::string::npos || p + 2 >= s.size() || s[p + 2] == 'Z' || s[p + 2] == 'X';
}

// The pid in a log file name "PID.log", or 0.
uint64_t log_pid(const std::string& name) {
  uint64_t v = 0;
  if (!name.ends_with(".log") || !parse_dec(std::string_view(name).substr(0, name.size() - 4), v)) return 0;
  return v;
}

// The parent named in a child's log header ("==C== Parent PID: P"), or 0.
uint64_t parent_of(int fd) {
  char buf[4096];
  ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  if (n <= 0) return 0;
  std::string_view s(buf, static_cast<size_t>(n));
  size_t at = s.find("== Parent PID: ");
  if (at == std::string_view::npos) return 0;
  size_t b = at + 15, e = s.find('\n', b);
  uint64_t v = 0;
  return e != std::string_view::npos && parse_dec(s.substr(b, e - b), v) ? v : 0;
}

}  // namespace

// A log file read while its process still writes it: at the end of what is written so far it
// waits until there is more or the process has ended. It delivers what is there rather than
// waiting to fill the caller's buffer, and gives back the disk space of what it has read (the
// file has no name any more: it goes when closed).
class LogInput final : public ByteInput {
 public:
  LogInput(ProcessLogs& owner, ProcessLogs::Log& log) : owner_(owner), log_(log) {
    name_ = "valgrind log of process " + std::to_string(log.pid);
  }

  size_t read(void* buf, size_t n) override {
    size_t got = 0;
    if (peek_pos_ < peek_.size()) {
      got = std::min(n, peek_.size() - peek_pos_);
      std::memcpy(buf, peek_.data() + peek_pos_, got);
      peek_pos_ += got;
    } else {
      got = fetch(static_cast<char*>(buf), n);
    }
    offset_ += got;
    return got;
  }

  std::string_view peek(size_t n) override {
    peek_.erase(0, peek_pos_);
    peek_pos_ = 0;
    while (peek_.size() < n) {
      const size_t have = peek_.size();
      peek_.resize(n);
      const size_t k = fetch(peek_.data() + have, n - have);
      peek_.resize(have + k);
      if (k == 0) break;
    }
    return std::string_view(peek_).substr(0, n);
  }

 private:
  size_t fetch(char* dst, size_t n) {
    for (;;) {
      ssize_t k = ::read(log_.fd, dst, n);
      if (k > 0) {
        consumed_ += static_cast<uint64_t>(k);
        give_back();
        return static_cast<size_t>(k);
      }
      if (k < 0) {
        if (errno == EINTR) continue;
        throw InputError(name_ + ": read failed: " + std::strerror(errno));
      }
      if (done_) return 0;
      // Once the process has ended, one more read takes what it wrote before it ended.
      if (owner_.ended(log_))
        done_ = true;
      else
        owner_.wait(log_);
    }
  }
  void give_back() {
    const uint64_t upto = consumed_ / kPunchStep * kPunchStep;
    if (!can_punch_ || upto <= punched_) return;
    if (::fallocate(log_.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(punched_),
                    static_cast<off_t>(upto - punched_)) == 0)
      punched_ = upto;
    else
      can_punch_ = false;  // not supported here: the space comes back when the file is closed
  }

  ProcessLogs& owner_;
  ProcessLogs::Log& log_;
  std::string peek_;
  size_t peek_pos_ = 0;
  uint64_t consumed_ = 0, punched_ = 0;
  bool done_ = false, can_punch_ = true;
};

ProcessLogs::ProcessLogs(std::string dir, pid_t root, LackeyReader::Options opt)
    : dir_(std::move(dir)), root_(root), opt_(opt) {
  opt_.next_pid = &next_pid_;
  opt_.stop_after_fork = true;
}

ProcessLogs::~ProcessLogs() = default;

void ProcessLogs::scan() {
  size_t waiting = 0;
  for (auto& l : logs_) waiting += l->claimed ? 0 : 1;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir_, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (waiting >= kMaxWaitingLogs) return;
    const std::string name = it->path().filename().string();
    const uint64_t pid = log_pid(name);
    if (pid == 0) continue;
    int fd = ::open(it->path().c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    // Taken out of the directory at once: a later process that gets the same pid then writes a
    // new file instead of truncating this one.
    ::unlink(it->path().c_str());
    auto log = std::make_unique<Log>();
    log->pid = pid;
    log->fd = fd;
    log->pidfd = open_pidfd(pid);
    if (log->pidfd < 0 && errno == ESRCH) log->ended = true;
    logs_.push_back(std::move(log));
    ++waiting;
  }
}

bool ProcessLogs::ended(Log& log) {
  if (log.ended) return true;
  if (log.pidfd >= 0) {
    pollfd p{log.pidfd, POLLIN, 0};
    if (::poll(&p, 1, 0) == 1) log.ended = true;
  } else {
    log.ended = pid_gone(log.pid);
  }
  return log.ended;
}

void ProcessLogs::wait(Log& log) {
  scan();  // meanwhile, take new logs out of the directory
  if (log.pidfd >= 0) {
    pollfd p{log.pidfd, POLLIN, 0};
    ::poll(&p, 1, 10);  // wakes at once when the process ends
  } else {
    ::usleep(10'000);
  }
}

ProcessLogs::Log* ProcessLogs::claim(uint64_t real_pid, uint64_t parent_pid) {
  int child_fd = -2;  // the process, watched while its log has not appeared
  bool child_gone = false, last_look = false;
  for (;;) {
    scan();
    std::vector<Log*> found;
    for (auto& l : logs_)
      if (!l->claimed && l->pid == real_pid) found.push_back(l.get());
    if (!found.empty()) {
      // Two logs of one pid: the pid was reused; the header names each one's parent.
      Log* log = found.front();
      if (found.size() > 1 && parent_pid != 0)
        for (Log* l : found)
          if (parent_of(l->fd) == parent_pid) {
            log = l;
            break;
          }
      log->claimed = true;
      if (child_fd >= 0) ::close(child_fd);
      return log;
    }
    if (last_look) break;
    // valgrind creates a new process's log right after the fork; a process that has ended
    // without one never will (one more look covers a log created just before the end).
    if (child_fd == -2) {
      child_fd = open_pidfd(real_pid);
      child_gone = child_fd < 0 && errno == ESRCH;
    }
    bool gone = child_gone;
    if (!gone && child_fd >= 0) {
      pollfd p{child_fd, POLLIN, 0};
      gone = ::poll(&p, 1, 10) == 1;
    } else if (!gone) {
      gone = pid_gone(real_pid);
      if (!gone) ::usleep(10'000);
    }
    last_look = gone;
  }
  if (child_fd >= 0) ::close(child_fd);
  return nullptr;
}

void ProcessLogs::push_frame(Log* log, uint32_t pid) {
  LackeyReader::Options o = opt_;
  o.pid = pid;
  stack_.push_back({log, std::make_unique<LackeyReader>(std::make_unique<LogInput>(*this, *log), o)});
  ++processes_;
}

size_t ProcessLogs::next_batch(std::span<Event> out) {
  if (out.empty()) return 0;
  if (!started_) {
    started_ = true;
    if (Log* l = claim(static_cast<uint64_t>(root_), 0)) {
      root_seen_ = true;
      push_frame(l, 0);
    }
  }
  while (!stack_.empty()) {
    size_t n = stack_.back().reader->next_batch(out);
    if (n > 0) {
      // Right after a fork: the child's log comes next.
      if (auto fork = stack_.back().reader->take_fork())
        if (Log* child = claim(fork->real_child, stack_.back().log->pid)) push_frame(child, fork->child);
      return n;
    }
    done_lines_ += stack_.back().reader->lines_read();
    done_bytes_ += stack_.back().reader->bytes_read();
    Log* log = stack_.back().log;
    stack_.pop_back();
    logs_.erase(std::find_if(logs_.begin(), logs_.end(), [log](auto& l) { return l.get() == log; }));
  }
  return 0;
}

uint64_t ProcessLogs::lines() const {
  uint64_t n = done_lines_;
  for (auto& f : stack_) n += f.reader->lines_read();
  return n;
}

uint64_t ProcessLogs::bytes() const {
  uint64_t n = done_bytes_;
  for (auto& f : stack_) n += f.reader->bytes_read();
  return n;
}

}  // namespace hvsim
