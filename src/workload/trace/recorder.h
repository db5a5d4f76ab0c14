// `hvsim trace record`: runs a program under valgrind's lackey tool, one log per process, and
// converts the logs to .hvt while they are written (see process_logs.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvsim {

struct RecordOptions {
  std::string out;                    // .hvt path
  std::vector<std::string> argv;      // the program and its arguments
  bool ifetch = true;                 // keep instruction fetches
  bool progress = false;              // a progress line on stderr
  std::string valgrind = "valgrind";  // run directly (PATH lookup), never through a shell
};

struct RecordResult {
  uint64_t records = 0;
  uint64_t lackey_bytes = 0;  // size of the text that went through the pipe
  uint64_t lackey_lines = 0;
  uint64_t out_bytes = 0;
  uint64_t processes = 0;  // process logs read: the program and the processes it forked
  // The program's wait status: its exit code, or the signal that killed it (then exit_code -1).
  int exit_code = -1;
  int signal = 0;
  double seconds = 0;
};

// "exit code 7", "killed by signal 9 (SIGKILL)".
std::string describe_exit(const RecordResult& r);

RecordResult record_trace(const RecordOptions& opt);

// Whether `valgrind` can be run here.
bool valgrind_available(const std::string& valgrind = "valgrind");

// ISO-8601 UTC time, for metadata.
std::string utc_now_iso8601();

}  // namespace hvsim
