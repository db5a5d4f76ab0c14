// valgrind lackey `--trace-mem=yes` text: "I  addr,size", " L addr,size", " S addr,size",
// " M addr,size" (a load then a store). "==PID==" / "--PID--" noise is skipped. With
// `--trace-syscalls=yes` in the same log, address-space system calls become OS events.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "workload/event_source.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/line_reader.h"

namespace hvsim {

class LackeyReader final : public EventSource {
 public:
  struct Options {
    bool ifetch = true;    // emit instruction fetches ("I" lines)
    bool syscalls = true;  // turn SYSCALL lines into OS events
    uint32_t pid = 0;      // pid given to the accesses
  };
  // Widest access accepted, and the piece size for accesses wider than an Event holds (255).
  static constexpr uint64_t kMaxAccess = 2048;
  static constexpr uint64_t kPiece = 128;
  explicit LackeyReader(std::unique_ptr<ByteInput> in) : LackeyReader(std::move(in), Options{}) {}
  LackeyReader(std::unique_ptr<ByteInput> in, Options opt);
  size_t next_batch(std::span<Event> out) override;
  std::string describe() const override { return "lackey:" + lines_.name(); }

  uint64_t lines_read() const { return lines_.line_number(); }
  uint64_t bytes_read() { return lines_.input().offset(); }
  // Real pid of the traced process (from the first "==PID==" or SYSCALL line), 0 if unseen.
  uint32_t traced_pid() const { return main_pid_; }
  // The exit code valgrind reported ("Exit code: N"), or -1.
  int exit_code() const { return exit_code_; }

 private:
  void parse_line(std::string_view line);
  void parse_syscall(std::string_view line);
  void push(const Event& e) { pending_.at(npending_++) = e; }
  void push_access(EventKind k, uint64_t addr, uint64_t size);
  void push_modify(uint64_t addr, uint64_t size);
  uint32_t map_pid(uint64_t real);

  struct PendingCall {
    uint64_t nr = 0;
    uint64_t args[6] = {};
  };
  LineReader lines_;
  Options opt_;
  // Events of one line: at most a load and a store per piece of the widest access, plus the
  // two events of an mremap whose result line also carries an access.
  std::array<Event, 2 * kMaxAccess / kPiece + 2> pending_;
  size_t npending_ = 0, ppos_ = 0;
  std::unordered_map<uint64_t, PendingCall> async_;  // tid → call awaiting its result
  std::unordered_map<uint64_t, uint32_t> pids_;      // real pid → trace pid
  uint32_t main_pid_ = 0;
  uint64_t last_brk_ = 0;
  int exit_code_ = -1;
};

}  // namespace hvsim
