// The event stream of a recorded process tree: valgrind writes one lackey log per process
// (--log-file=DIR/%p.log), since lackey's records do not say which process made them. The logs
// are read while the processes write them and merged depth-first: a process's events up to a
// fork, then the child's whole log (up to its exit, or its exec, after which valgrind no longer
// traces it), then the parent's again — the order of a shell running its commands one after
// the other.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "workload/event_source.h"
#include "workload/trace/lackey_reader.h"

namespace hvsim {

class ProcessLogs final : public EventSource {
 public:
  // Reads the logs in `dir` of `root` and of the processes it creates (it only watches them; the
  // caller reaps `root`). `opt` applies to every log (its pid fields are set here: the root is
  // pid 0, the others 1, 2, … in the order their creation is read).
  ProcessLogs(std::string dir, pid_t root, LackeyReader::Options opt);
  ~ProcessLogs() override;
  ProcessLogs(const ProcessLogs&) = delete;
  ProcessLogs& operator=(const ProcessLogs&) = delete;

  size_t next_batch(std::span<Event> out) override;
  std::string describe() const override { return "valgrind logs in " + dir_; }

  // Whether the root process wrote a log at all (valgrind could not start the program if not).
  bool root_log_seen() const { return root_seen_; }
  uint64_t lines() const;
  uint64_t bytes() const;
  uint64_t processes() const { return processes_; }

  struct Log;  // one process's log file

 private:
  friend class LogInput;
  void scan();
  Log* claim(uint64_t real_pid, uint64_t parent_pid);
  void push_frame(Log* log, uint32_t pid);
  bool ended(Log& log);
  void wait(Log& log);

  struct Frame {
    Log* log;
    std::unique_ptr<LackeyReader> reader;
  };
  std::string dir_;
  pid_t root_;
  bool root_seen_ = false, started_ = false;
  LackeyReader::Options opt_;
  uint32_t next_pid_ = 1;
  std::vector<std::unique_ptr<Log>> logs_;  // in the order found
  std::vector<Frame> stack_;                // the process being read is at the back
  uint64_t done_lines_ = 0, done_bytes_ = 0, processes_ = 0;
};

}  // namespace hvsim
