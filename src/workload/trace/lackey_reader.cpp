#include "workload/trace/lackey_reader.h"

#include <charconv>

#include "common/error.h"
#include "common/printable.h"

namespace hvsim {
namespace {

constexpr uint64_t kPage = 4096;
uint64_t page_round(uint64_t len) { return (len + kPage - 1) & ~(kPage - 1); }

// x86-64 system call numbers that change an address space.
enum : uint64_t {
  kSysMmap = 9,
  kSysMprotect = 10,
  kSysMunmap = 11,
  kSysBrk = 12,
  kSysMremap = 25,
  kSysClone = 56,
  kSysFork = 57,
  kSysVfork = 58,
  kSysExecve = 59,
  kSysExitGroup = 231,
};
constexpr uint64_t kCloneVm = 0x100;

bool interesting(uint64_t nr) {
  switch (nr) {
    case kSysMmap:
    case kSysMprotect:
    case kSysMunmap:
    case kSysBrk:
    case kSysMremap:
    case kSysClone:
    case kSysFork:
    case kSysVfork:
    case kSysExecve:
    case kSysExitGroup:
      return true;
  }
  return false;
}

// One argument as valgrind prints it: 0x-hex, plain decimal, or hex followed by "(string)".
// Some are printed in hex without the 0x (clone's flags: "1200011"): `hex` says so.
uint64_t parse_arg(std::string_view s, bool hex = false) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  size_t paren = s.find('(');
  if (paren != std::string_view::npos) s = s.substr(0, paren);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  uint64_t v = 0;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    if (parse_hex(s, v)) return v;
  } else if (!hex && parse_dec(s, v)) {
    return v;
  } else if (parse_hex(s, v)) {
    return v;
  }
  return 0;
}

// valgrind prints a system call's name and arguments, makes the call, then prints the result on
// the same line. When the call never returns to valgrind (a successful execve: the process is no
// longer traced) the log ends after the argument list, without a newline.
bool unterminated_ok(std::string_view line) { return line.starts_with("SYSCALL[") && line.ends_with(" )"); }

}  // namespace

LackeyReader::LackeyReader(std::unique_ptr<ByteInput> in, Options opt)
    : lines_(std::move(in), unterminated_ok), opt_(opt), own_next_pid_(opt.pid + 1) {}

uint32_t LackeyReader::trace_pid(uint64_t real) {
  if (main_pid_ == 0) main_pid_ = static_cast<uint32_t>(real);
  if (real == main_pid_) return opt_.pid;
  // Another process in the same log (several processes logging to one file): its system calls
  // are its own, numbered in order of appearance unless a fork seen here already numbered it.
  auto [it, inserted] = pids_.try_emplace(real, 0);
  if (inserted) it->second = new_pid();
  return it->second;
}

void LackeyReader::push_exit(uint32_t pid) {
  if (pid == opt_.pid) {
    if (exited_) return;
    exited_ = true;
  }
  Event e;
  e.kind = EventKind::kProcessExit;
  e.pid = pid;
  push(e);
}

void LackeyReader::push_access(EventKind k, uint64_t addr, uint64_t size) {
  // Event sizes are one byte; very wide accesses (xsave, AVX-512 gathers) become pieces of at
  // most kPiece bytes that cover exactly the bytes given, so every page they touch is still seen.
  const uint64_t piece = size <= 255 ? size : kPiece;
  for (uint64_t off = 0; off < size; off += piece)
    push(Event::access(k, addr + off, static_cast<uint8_t>(std::min(piece, size - off)), opt_.pid));
}

void LackeyReader::push_modify(uint64_t addr, uint64_t size) {
  // A modify reads and then writes each piece.
  const uint64_t piece = size <= 255 ? size : kPiece;
  for (uint64_t off = 0; off < size; off += piece) {
    auto n = static_cast<uint8_t>(std::min(piece, size - off));
    push(Event::access(EventKind::kLoad, addr + off, n, opt_.pid));
    push(Event::access(EventKind::kStore, addr + off, n, opt_.pid));
  }
}

bool LackeyReader::parse_access(std::string_view line) {
  if (line.size() < 4 || (line[0] != 'I' && line[0] != ' ') || line[2] != ' ') return false;
  char op = line[0] == 'I' ? 'I' : line[1];
  size_t comma = line.find(',', 3);
  std::string_view a = line.substr(3, comma == std::string_view::npos ? 0 : comma - 3);
  while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
  uint64_t addr = 0, size = 0;
  bool ok = (op == 'I' ? line[1] == ' ' : (op == 'L' || op == 'S' || op == 'M')) &&
            comma != std::string_view::npos && parse_hex(a, addr) &&
            parse_dec(line.substr(comma + 1), size) && size > 0 && size <= kMaxAccess;
  if (!ok) return false;
  switch (op) {
    case 'I':
      if (opt_.ifetch) push_access(EventKind::kIFetch, addr, size);
      break;
    case 'L':
      push_access(EventKind::kLoad, addr, size);
      break;
    case 'S':
      push_access(EventKind::kStore, addr, size);
      break;
    default:
      push_modify(addr, size);
  }
  return true;
}

void LackeyReader::parse_line(std::string_view line) {
  if (parse_access(line)) return;
  if (line.empty()) return;
  if (line.size() >= 3 && (line.starts_with("==") || line.starts_with("--"))) {
    // valgrind's own messages; remember the traced pid, and see the process die of a signal.
    size_t end = line.find(line[0], 2);
    uint64_t pid = 0;
    if (end != std::string_view::npos && parse_dec(line.substr(2, end - 2), pid)) {
      if (main_pid_ == 0 && line[0] == '=') trace_pid(pid);
      if (line.substr(std::min(line.size(), end + 2)).starts_with(" Process terminating with default action"))
        push_exit(trace_pid(pid));
      return;
    }
  }
  if (line.starts_with("SYSCALL[")) {
    if (opt_.syscalls) parse_syscall(line);
    return;
  }
  if (line.starts_with(" --> ")) {
    // The result of the call printed on the line before; in a forked child's log, the child's
    // half of the fork, which has no call before it.
    if (open_call_ && opt_.syscalls) {
      PendingCall c = *open_call_;
      open_call_.reset();
      complete(c, line.substr(5));
    } else {
      after_result(line.substr(5));
    }
    return;
  }
  // VEX decoder diagnostics.
  if (line.starts_with("vex ")) return;
  throw FileFormatError::at_line(
      lines_.name(), lines_.line_number(),
      "expected a lackey record like ' L 04e9a0c8,8' or 'I  0400d7d4,3', found '" + printable(line) + "'");
}

void LackeyReader::bad_syscall() {
  throw FileFormatError::at_line(lines_.name(), lines_.line_number(),
                                 "malformed valgrind SYSCALL line (expected 'SYSCALL[pid,tid](nr) ...')");
}

void LackeyReader::parse_syscall(std::string_view line) {
  // SYSCALL[pid,tid](nr) sys_name ( a, b, c ) --> [pre-success] Success(0x..)
  // SYSCALL[pid,tid](nr) sys_name ( a, b, c ) --> [async] ...    (the result comes later:)
  // SYSCALL[pid,tid](nr) ... [async] --> Success(0x..)
  // SYSCALL[pid,tid](56) sys_clone ( 1200011, … )   clone(fork): process P created child C
  //  --> [pre-success] Success(0xC)                               (the result on the next line)
  size_t comma = line.find(',', 8), close = line.find(']', 8);
  if (comma == std::string_view::npos || close == std::string_view::npos || comma > close) bad_syscall();
  uint64_t rpid = 0, tid = 0, nr = 0;
  if (!parse_dec(line.substr(8, comma - 8), rpid) ||
      !parse_dec(line.substr(comma + 1, close - comma - 1), tid))
    bad_syscall();
  if (close + 1 >= line.size() || line[close + 1] != '(') bad_syscall();
  size_t nr_end = line.find(')', close);
  if (nr_end == std::string_view::npos || !parse_dec(line.substr(close + 2, nr_end - close - 2), nr))
    bad_syscall();
  const uint32_t pid = trace_pid(rpid);
  close_open_call();

  std::string_view rest = line.substr(nr_end + 1);
  const size_t arrow = rest.find("-->");
  const std::string_view result =
      arrow == std::string_view::npos ? std::string_view() : rest.substr(arrow + 3);
  if (!interesting(nr)) {
    after_result(result);
    return;
  }
  PendingCall call;
  call.nr = nr;
  call.pid = pid;
  if (rest.starts_with(" ... [async]")) {
    auto it = async_.find(tid);
    if (it == async_.end() || it->second.nr != nr) {  // start not seen: nothing to pair with
      after_result(result);
      return;
    }
    call = it->second;
    async_.erase(it);
  } else {
    // Arguments between the first '(' and the ')' that precedes "-->" or the line end.
    size_t open = rest.find('(');
    size_t end = rest.rfind(')', arrow == std::string_view::npos ? std::string_view::npos : arrow);
    if (open == std::string_view::npos || end == std::string_view::npos || end < open) bad_syscall();
    std::string_view args = rest.substr(open + 1, end - open - 1);
    for (int i = 0; i < 6 && !args.empty(); ++i) {
      size_t c = args.find(',');
      call.args[i] = parse_arg(args.substr(0, c), nr == kSysClone && i == 0);
      if (c == std::string_view::npos) break;
      args.remove_prefix(c + 1);
    }
    if (nr == kSysExitGroup) {
      push_exit(pid);
      after_result(result);
      return;
    }
    if (arrow == std::string_view::npos) {
      open_call_ = call;
      return;
    }
    if (result.find("[async] ...") != std::string_view::npos) {
      async_[tid] = call;
      return;
    }
  }
  complete(call, result);
}

// After "Success(…)"/"Failure(…)": valgrind ends the line only when the calling thread runs
// again, so another thread's first access record may follow on the same line.
void LackeyReader::after_result(std::string_view result) {
  size_t start = result.find("Success(");
  if (start == std::string_view::npos) start = result.find("Failure(");
  if (start == std::string_view::npos) return;
  size_t close = result.find(')', start);
  if (close == std::string_view::npos) return;
  std::string_view tail = result.substr(close + 1);
  if (tail.starts_with(' ')) tail.remove_prefix(1);
  parse_access(tail);
}

void LackeyReader::complete(const PendingCall& call, std::string_view result) {
  size_t ok = result.find("Success(");
  if (ok == std::string_view::npos) {  // failed or no result: the address space did not change
    after_result(result);
    return;
  }
  size_t ok_end = result.find(')', ok);
  if (ok_end == std::string_view::npos) bad_syscall();
  uint64_t value = 0;
  if (!parse_hex(result.substr(ok + 8, ok_end - ok - 8), value)) bad_syscall();

  Event e;
  e.pid = call.pid;
  const uint64_t* a = call.args;
  switch (call.nr) {
    case kSysMmap:
      e.kind = EventKind::kMmap, e.addr = value, e.arg = page_round(a[1]);
      break;
    case kSysMunmap:
      e.kind = EventKind::kMunmap, e.addr = a[0], e.arg = page_round(a[1]);
      break;
    case kSysMprotect:
      e.kind = EventKind::kMprotect, e.addr = a[0], e.arg = page_round(a[1]);
      e.flags = (a[2] & 2) ? 1 : 0;  // PROT_WRITE → bit0
      break;
    case kSysBrk:
      if (value == last_brk_) {
        after_result(result);
        return;
      }
      last_brk_ = value;
      e.kind = EventKind::kBrk, e.addr = value;
      break;
    case kSysMremap: {
      Event u = e;
      u.kind = EventKind::kMunmap, u.addr = a[0], u.arg = page_round(a[1]);
      push(u);
      e.kind = EventKind::kMmap, e.addr = value, e.arg = page_round(a[2]);
      break;
    }
    case kSysClone:
      if (a[0] & kCloneVm) {  // a thread: same address space
        after_result(result);
        return;
      }
      [[fallthrough]];
    case kSysFork:
    case kSysVfork: {
      // A new process, even if a pid is reused: its pages start as a copy of the parent's.
      const uint32_t child = new_pid();
      pids_[value] = child;
      e.kind = EventKind::kProcessCreate, e.arg = child;
      pending_fork_ = Fork{child, value};
      break;
    }
    case kSysExecve:
      e.kind = EventKind::kExec;
      break;
    default:
      return;
  }
  push(e);
  after_result(result);
}

void LackeyReader::close_open_call() {
  // An execve whose result never came succeeded: it replaced the program, which valgrind no
  // longer traces, so the process's log ends there (or, with several processes in one log,
  // another's line follows). Other calls without a result changed nothing we know of.
  if (open_call_ && open_call_->nr == kSysExecve) {
    Event e;
    e.kind = EventKind::kExec;
    e.pid = open_call_->pid;
    push(e);
  }
  open_call_.reset();
}

void LackeyReader::finish() {
  close_open_call();
  finished_ = true;
}

size_t LackeyReader::next_batch(std::span<Event> out) {
  size_t n = 0;
  for (;;) {
    while (ppos_ < npending_ && n < out.size()) {
      const Event& e = pending_[ppos_++];
      out[n++] = e;
      if (e.kind == EventKind::kProcessCreate && pending_fork_) {
        fork_ = std::exchange(pending_fork_, std::nullopt);
        if (opt_.stop_after_fork) return n;
      }
    }
    if (n == out.size()) return n;
    npending_ = ppos_ = 0;
    if (finished_) return n;
    std::string_view line;
    if (lines_.next(line))
      parse_line(line);
    else
      finish();
  }
}

}  // namespace hvsim
