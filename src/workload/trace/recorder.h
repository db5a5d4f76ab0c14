// `hvsim trace record`: runs a program under valgrind's lackey tool and converts its log to
// .hvt as it streams through a pipe (no text file on disk).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvsim {

struct RecordOptions {
  std::string out;                // .hvt path
  std::vector<std::string> argv;  // the program and its arguments
  bool ifetch = true;             // keep instruction fetches
  bool progress = false;          // a progress line on stderr
  std::string valgrind = "valgrind";
};

struct RecordResult {
  uint64_t records = 0;
  uint64_t lackey_bytes = 0;  // size of the text that went through the pipe
  uint64_t lackey_lines = 0;
  uint64_t out_bytes = 0;
  int exit_code = -1;  // the program's exit status as valgrind reported it
  double seconds = 0;
};

RecordResult record_trace(const RecordOptions& opt);

// Whether `valgrind` can be run here.
bool valgrind_available(const std::string& valgrind = "valgrind");

// ISO-8601 UTC time, for metadata.
std::string utc_now_iso8601();

}  // namespace hvsim
