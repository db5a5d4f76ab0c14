// Output files (`--json FILE`, `--csv FILE`): checked before the run, so a bad path fails before
// any simulation, and written after it without ever leaving a partial file. A regular file is
// replaced atomically through a uniquely named temporary file in its own directory (through a
// symlink: the link's final target is replaced and the link stays); a device or FIFO is written
// directly, never replaced.
#pragma once
#include <string>
#include <vector>

#include "common/temp_files.h"

namespace hvsim {

struct OutputPath {
  std::string option;  // names it in errors: "--json"
  std::string path;    // as given
};

// Throws InputError naming the option and path unless every output can be written: a non-empty
// path; an existing regular file, device or FIFO we may write, or a new file in an existing
// directory that accepts one. No two outputs may be the same file (compared by device and inode
// after following symlinks, whatever the spelling), nor any of `inputs` (option and path of the
// files the run reads).
void check_output_paths(const std::vector<OutputPath>& outputs, const std::vector<OutputPath>& inputs = {});

// Writes `content` to the output; throws InputError naming the option, the path and the reason
// (for example /dev/full's "No space left on device"). A regular file keeps its old content
// unless the whole new content was written.
void write_output_file(const OutputPath& out, const std::string& content);

// A uniquely named temporary file beside `target` (mkstemp), removed unless committed: by the
// destructor, and by a handler if SIGINT, SIGTERM or SIGHUP stops the process meanwhile.
class TempFile {
 public:
  // Throws InputError naming `what` (e.g. "--json out.json") when the directory refuses.
  TempFile(const std::string& target, const std::string& what);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Closes the file and renames it over the target; false (errno set) if either fails.
  bool commit();

 private:
  std::string target_, path_;
  int fd_ = -1;
  TempGuard guard_;  // registration with the signal handler
};

}  // namespace hvsim
