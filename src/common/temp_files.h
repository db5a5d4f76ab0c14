// Temporary files and directories that must not outlive the run that made them: an output is
// written under a unique temporary name beside its target and renamed into place when complete;
// if the run fails the owner removes it, and if SIGINT, SIGTERM or SIGHUP ends the process one
// handler removes every one still registered (trace outputs, the recorder's logs, compare's
// JSON and CSV files alike).
#pragma once
#include <string>

namespace hvsim {

// Creates "TARGET.tmp.XXXXXX" (unique, like mkstemp) in the target's directory, so the final
// rename stays within one file system, with the permissions a new file would get (0666 & ~umask).
// Returns the open descriptor and sets `path`; throws InputError naming the target on failure.
int create_temp_beside(const std::string& target, std::string& path);

// Creates a fresh private directory "PREFIX.XXXXXX" (mkdtemp) and returns its path.
std::string create_temp_directory(const std::string& prefix);

// Keeps a temporary path registered for removal on a fatal signal while it lives. A directory
// is emptied (one level) and removed. Moving transfers the registration.
class TempGuard {
 public:
  TempGuard() = default;
  TempGuard(const std::string& path, bool directory);
  // Creates a unique file from `tmpl` (ending in XXXXXX, replaced by the name made) and registers
  // it in one step: mkostemp fills in the registered buffer itself, so a signal at any moment
  // finds the real name. Returns the descriptor (close-on-exec), or -1 with errno set (EMFILE
  // when every slot is taken, ENAMETOOLONG for a path too long to register).
  int create_file(std::string& tmpl);
  bool active() const { return slot_ >= 0; }
  TempGuard(TempGuard&& o) noexcept : slot_(o.slot_) { o.slot_ = -1; }
  TempGuard& operator=(TempGuard&& o) noexcept;
  TempGuard(const TempGuard&) = delete;
  TempGuard& operator=(const TempGuard&) = delete;
  ~TempGuard() { release(); }
  // Stops watching the path (after it was renamed into place or removed).
  void release();

 private:
  int slot_ = -1;
};

}  // namespace hvsim
