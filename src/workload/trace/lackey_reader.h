// valgrind lackey `--trace-mem=yes` text: "I  addr,size", " L addr,size", " S addr,size",
// " M addr,size" (a load then a store). "==PID==" / "--PID--" noise is skipped. With
// `--trace-syscalls=yes` in the same log, address-space system calls become OS events, and
// fork/clone/vfork process-create events. Lackey's records do not say which process made them:
// a log should hold one process (valgrind --log-file=DIR/%p), whose pid they get.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "workload/event_source.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/line_reader.h"

namespace hvsim {

class LackeyReader final : public EventSource {
 public:
  struct Options {
    bool ifetch = true;    // emit instruction fetches ("I" lines)
    bool syscalls = true;  // turn SYSCALL lines into OS events
    // Trace pid of the log's own process: its accesses and system calls carry it.
    uint32_t pid = 0;
    // Numbering of new processes shared by several logs (the recorder's one log per process);
    // nullptr: pid + 1, pid + 2, … in order of creation.
    uint32_t* next_pid = nullptr;
    // next_batch returns right after each process-create event, so that the caller can read the
    // child's own log (take_fork) before the parent goes on.
    bool stop_after_fork = false;
  };
  // Widest access accepted, and the piece size for accesses wider than an Event holds (255).
  static constexpr uint64_t kMaxAccess = 2048;
  static constexpr uint64_t kPiece = 128;
  explicit LackeyReader(std::unique_ptr<ByteInput> in) : LackeyReader(std::move(in), Options{}) {}
  LackeyReader(std::unique_ptr<ByteInput> in, Options opt);
  size_t next_batch(std::span<Event> out) override;
  std::string describe() const override { return "lackey:" + lines_.name(); }

  uint64_t lines_read() const { return lines_.line_number(); }
  uint64_t bytes_read() const { return lines_.input().offset(); }
  // Real pid of the traced process (from the first "==PID==" or SYSCALL line), 0 if unseen.
  uint32_t traced_pid() const { return main_pid_; }

  // A process created by the log's process: its trace pid and its real pid.
  struct Fork {
    uint32_t child = 0;
    uint64_t real_child = 0;
  };
  // The process create event last delivered, once; nothing after the others.
  std::optional<Fork> take_fork() { return std::exchange(fork_, std::nullopt); }

 private:
  struct PendingCall {
    uint64_t nr = 0;
    uint32_t pid = 0;  // trace pid
    uint64_t args[6] = {};
  };
  void parse_line(std::string_view line);
  bool parse_access(std::string_view line);
  void parse_syscall(std::string_view line);
  void complete(const PendingCall& call, std::string_view result);
  void after_result(std::string_view result);
  void close_open_call();
  void finish();
  [[noreturn]] void bad_syscall();
  void push(const Event& e) { pending_.at(npending_++) = e; }
  void push_access(EventKind k, uint64_t addr, uint64_t size);
  void push_modify(uint64_t addr, uint64_t size);
  void push_exit(uint32_t pid);
  uint32_t trace_pid(uint64_t real);
  uint32_t new_pid() { return opt_.next_pid ? (*opt_.next_pid)++ : own_next_pid_++; }

  LineReader lines_;
  Options opt_;
  // Events of one line: at most the exec of an execve left without a result, the two events of
  // an mremap, and a load and a store per piece of the widest access glued after its result.
  std::array<Event, 1 + 2 + 2 * kMaxAccess / kPiece> pending_;
  size_t npending_ = 0, ppos_ = 0;
  std::unordered_map<uint64_t, PendingCall> async_;  // tid → call awaiting its "[async]" result
  // A call printed without a result: valgrind prints it on the next line (" --> …", after a
  // fork's "created child" note), or never (a successful execve).
  std::optional<PendingCall> open_call_;
  std::unordered_map<uint64_t, uint32_t> pids_;  // real pid → trace pid, other than main_pid_
  uint32_t main_pid_ = 0;
  uint32_t own_next_pid_;
  uint64_t last_brk_ = 0;
  bool exited_ = false, finished_ = false;
  std::optional<Fork> pending_fork_, fork_;  // parsed, not yet delivered; delivered
};

}  // namespace hvsim
