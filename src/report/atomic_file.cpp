#include "report/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "common/error.h"

namespace hvsim {
namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}
std::string name_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

[[noreturn]] void fail(const std::string& what, const std::string& why) {
  throw InputError(fmt::format("{}: {}", what, why));
}

// The file a path finally names: symlinks followed one by one (a dangling link names the file
// it would create), so that its own directory can hold the temporary file.
struct Resolved {
  std::string path;
  bool exists = false;
  struct stat st {};
  bool stream = false;  // a regular file reached through /proc/*/fd (/dev/stdout): appended to
};

Resolved resolve(const std::string& given, const std::string& what) {
  if (given.empty()) fail(what, "the file name is empty; expected a path to write to");
  if (given.back() == '/') fail(what, "names a directory; expected a file name");
  Resolved r;
  r.path = given;
  // A device, FIFO or socket is opened by the path as given: the kernel follows links that have
  // no path to read, such as /dev/stdout on a pipe.
  if (::stat(given.c_str(), &r.st) == 0 && !S_ISREG(r.st.st_mode) && !S_ISDIR(r.st.st_mode)) {
    r.exists = true;
    return r;
  }
  for (int hops = 0;; ++hops) {
    if (::lstat(r.path.c_str(), &r.st) != 0) {
      if (errno == ENOENT) return r;
      fail(what, fmt::format("cannot use '{}': {}", r.path, std::strerror(errno)));
    }
    if (!S_ISLNK(r.st.st_mode)) {
      r.exists = true;
      return r;
    }
    if (hops == 40) fail(what, "too many levels of symbolic links");
    if (r.path.rfind("/proc/", 0) == 0) {
      // An open file of some process (/dev/stdout redirected to a file): replacing it would
      // drop what was written to it, so the results are appended, as to a stream.
      if (::stat(given.c_str(), &r.st) != 0)
        fail(what, fmt::format("cannot use '{}': {}", given, std::strerror(errno)));
      r.path = given;
      r.exists = true;
      r.stream = S_ISREG(r.st.st_mode);
      return r;
    }
    char buf[PATH_MAX];
    ssize_t n = ::readlink(r.path.c_str(), buf, sizeof buf);
    if (n < 0)
      fail(what, fmt::format("cannot read the symbolic link '{}': {}", r.path, std::strerror(errno)));
    std::string link(buf, static_cast<size_t>(n));
    if (link.empty()) fail(what, fmt::format("the symbolic link '{}' is empty", r.path));
    r.path = link[0] == '/' ? link : dir_of(r.path) + "/" + link;
  }
}

bool direct(const struct stat& st) {
  return S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISBLK(st.st_mode);
}

// Rejects what can never hold the output; true when the target is written in place.
bool check_kind(const Resolved& r, const std::string& what) {
  if (!r.exists) return false;
  if (S_ISDIR(r.st.st_mode)) fail(what, "is a directory; expected a file");
  if (!S_ISREG(r.st.st_mode) && !direct(r.st))
    fail(what, "is neither a regular file, a device nor a FIFO; expected a file");
  return r.stream || direct(r.st);
}

std::string describe(const OutputPath& o) {
  return fmt::format("{} {}", o.option, o.path.empty() ? "''" : o.path);
}

bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

TempFile::TempFile(const std::string& target, const std::string& what) : target_(target) {
  // Hidden, and short enough for any file system's name limit whatever the target's name.
  std::string tmpl = dir_of(target) + "/." + name_of(target).substr(0, 200) + ".tmp.XXXXXX";
  if (tmpl.size() >= PATH_MAX) fail(what, "the path is too long");
  fd_ = guard_.create_file(tmpl);
  if (fd_ < 0) {
    if (errno == EMFILE && !guard_.active()) fail(what, "too many temporary files at once");
    fail(what, fmt::format("cannot create a file in '{}': {}", dir_of(target), std::strerror(errno)));
  }
  path_ = tmpl;
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (guard_.active()) ::unlink(path_.c_str());
}

bool TempFile::commit() {
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return false;
  if (::rename(path_.c_str(), target_.c_str()) != 0) return false;
  guard_.release();
  return true;
}

void check_output_paths(const std::vector<OutputPath>& outputs, const std::vector<OutputPath>& inputs) {
  struct Identity {
    dev_t dev;
    ino_t ino;
    std::string name;  // for a file still to be created: its name in the directory (dev, ino)
    const OutputPath* of;
  };
  std::vector<Identity> seen;
  auto same = [](const Identity& a, const Identity& b) {
    return a.dev == b.dev && a.ino == b.ino && a.name == b.name;
  };
  for (const OutputPath& in : inputs) {
    struct stat st {};
    if (!in.path.empty() && ::stat(in.path.c_str(), &st) == 0)
      seen.push_back({st.st_dev, st.st_ino, "", &in});
  }
  const size_t first_output = seen.size();
  for (const OutputPath& out : outputs) {
    const std::string what = describe(out);
    Resolved r = resolve(out.path, what);
    bool in_place = check_kind(r, what);
    Identity id{};
    id.of = &out;
    if (r.exists) {
      if (::faccessat(AT_FDCWD, r.path.c_str(), W_OK, AT_EACCESS) != 0)
        fail(what, fmt::format("cannot write: {}", std::strerror(errno)));
      id.dev = r.st.st_dev;
      id.ino = r.st.st_ino;
    } else {
      const std::string dir = dir_of(r.path);
      struct stat ds {};
      if (::stat(dir.c_str(), &ds) != 0)
        fail(what, fmt::format("cannot use the directory '{}': {}", dir, std::strerror(errno)));
      if (!S_ISDIR(ds.st_mode)) fail(what, fmt::format("'{}' is not a directory", dir));
      id.dev = ds.st_dev;
      id.ino = ds.st_ino;
      id.name = name_of(r.path);
    }
    // A regular file is replaced through a temporary file: make sure its directory takes one.
    if (!in_place) TempFile probe(r.path, what);
    for (size_t i = 0; i < seen.size(); ++i) {
      if (!same(seen[i], id)) continue;
      if (i < first_output)
        fail(what, fmt::format("is the file {} reads ({}); expected a different file", seen[i].of->option,
                               seen[i].of->path));
      fail(what, fmt::format("is the same file as {} {}; expected a different file for each output",
                             seen[i].of->option, seen[i].of->path));
    }
    seen.push_back(id);
  }
}

void write_output_file(const OutputPath& out, const std::string& content) {
  const std::string what = describe(out);
  // Resolved again: the path may have changed during the run.
  Resolved r = resolve(out.path, what);
  if (check_kind(r, what)) {
    // A device or FIFO is the destination itself: renaming over it would replace the node.
    int fd = ::open(r.path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | (r.stream ? O_APPEND : 0));
    if (fd < 0) fail(what, fmt::format("cannot write: {}", std::strerror(errno)));
    bool ok = write_all(fd, content);
    int err = errno;
    if (::close(fd) != 0 && ok) ok = false, err = errno;
    if (!ok) fail(what, fmt::format("cannot write: {}", std::strerror(err)));
    return;
  }
  TempFile tmp(r.path, what);
  // The new file gets the old one's permissions (and owner, where we may set it), or the
  // usual ones for a new file.
  mode_t mode = 0;
  if (r.exists) {
    mode = r.st.st_mode & 07777;
    if (::geteuid() == 0 && ::fchown(tmp.fd(), r.st.st_uid, r.st.st_gid) != 0) {
      // Keeping root as the owner is harmless; the content is what matters.
    }
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  if (::fchmod(tmp.fd(), mode) != 0 || !write_all(tmp.fd(), content) || ::fsync(tmp.fd()) != 0 ||
      !tmp.commit())
    fail(what, fmt::format("cannot write: {}", std::strerror(errno)));
}

}  // namespace hvsim
