#include "common/temp_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>

#include "common/error.h"

namespace hvsim {
namespace {

// The registry the signal handler reads: fixed buffers and lock-free flags, because a handler
// may not allocate or take locks.
enum : int { kFree = 0, kFile = 1, kDirectory = 2, kWriting = 3 };
struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
constexpr int kSlots = 16;
Slot g_slots[kSlots];

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[std::size(kSignals)];

// Removes the entries of `dir` (one level: the recorder's logs) using system calls only.
void empty_directory(const char* dir) {
  int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  alignas(dirent64) char buf[4096];
  // Removing entries while listing may hide some from the same pass; a few passes suffice.
  for (int pass = 0; pass < 8; ++pass) {
    bool removed = false;
    ::lseek(fd, 0, SEEK_SET);
    for (;;) {
      ssize_t n = ::getdents64(fd, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        auto* d = reinterpret_cast<dirent64*>(buf + off);
        off += d->d_reclen;
        if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
        removed |= ::unlinkat(fd, d->d_name, 0) == 0;
      }
    }
    if (!removed) break;
  }
  ::close(fd);
}

extern "C" void remove_temps_and_die(int sig) {
  const int saved_errno = errno;
  for (Slot& s : g_slots) {
    const int st = s.state.load(std::memory_order_acquire);
    if (st == kFile) {
      ::unlink(s.path);
    } else if (st == kDirectory) {
      empty_directory(s.path);
      ::rmdir(s.path);
    }
  }
  // End the way the signal would have ended us (or as an earlier handler decides); the signal
  // stays blocked until this handler returns.
  for (size_t k = 0; k < std::size(kSignals); ++k)
    if (kSignals[k] == sig) ::sigaction(sig, &g_previous[k], nullptr);
  ::raise(sig);
  errno = saved_errno;
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (size_t k = 0; k < std::size(kSignals); ++k) {
      ::sigaction(kSignals[k], nullptr, &g_previous[k]);
      if (g_previous[k].sa_handler == SIG_IGN) continue;  // e.g. SIGHUP under nohup: stay immune
      struct sigaction sa {};
      sa.sa_handler = remove_temps_and_die;
      sigfillset(&sa.sa_mask);
      ::sigaction(kSignals[k], &sa, nullptr);
    }
  });
}

mode_t new_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

int create_temp_beside(const std::string& target, std::string& path) {
  std::string tmpl = target + ".tmp.XXXXXX";
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0)
    throw InputError(target + ": cannot create a temporary file beside it: " + std::strerror(errno));
  ::fchmod(fd, new_file_mode());
  path = tmpl;
  return fd;
}

std::string create_temp_directory(const std::string& prefix) {
  std::string tmpl = prefix + ".XXXXXX";
  if (!::mkdtemp(tmpl.data()))
    throw InputError(prefix + ": cannot create a temporary directory: " + std::strerror(errno));
  return tmpl;
}

TempGuard::TempGuard(const std::string& path, bool directory) {
  install_handlers();
  if (path.size() >= PATH_MAX) return;  // cannot be guarded; the owner still removes it
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kWriting)) continue;
    std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
    g_slots[i].state.store(directory ? kDirectory : kFile, std::memory_order_release);
    slot_ = i;
    return;
  }
}

int TempGuard::create_file(std::string& tmpl) {
  release();
  install_handlers();
  if (tmpl.size() >= PATH_MAX) {
    errno = ENAMETOOLONG;
    return -1;
  }
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kWriting)) continue;
    std::memcpy(g_slots[i].path, tmpl.c_str(), tmpl.size() + 1);
    g_slots[i].state.store(kFile, std::memory_order_release);
    const int fd = ::mkostemp(g_slots[i].path, O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      g_slots[i].state.store(kFree, std::memory_order_release);
      errno = err;
      return -1;
    }
    tmpl = g_slots[i].path;
    slot_ = i;
    return fd;
  }
  errno = EMFILE;
  return -1;
}

TempGuard& TempGuard::operator=(TempGuard&& o) noexcept {
  if (this != &o) {
    release();
    slot_ = o.slot_;
    o.slot_ = -1;
  }
  return *this;
}

void TempGuard::release() {
  if (slot_ >= 0) g_slots[slot_].state.store(kFree, std::memory_order_release);
  slot_ = -1;
}

}  // namespace hvsim
