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
uint64_t parse_arg(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  size_t paren = s.find('(');
  if (paren != std::string_view::npos) s = s.substr(0, paren);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  uint64_t v = 0;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    if (parse_hex(s, v)) return v;
  } else if (parse_dec(s, v)) {
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
    : lines_(std::move(in), unterminated_ok), opt_(opt) {}

uint32_t LackeyReader::map_pid(uint64_t real) {
  if (main_pid_ == 0) main_pid_ = static_cast<uint32_t>(real);
  auto [it, inserted] = pids_.try_emplace(real, static_cast<uint32_t>(pids_.size()));
  return it->second;
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

void LackeyReader::parse_line(std::string_view line) {
  if (line.size() >= 4 && (line[0] == 'I' || line[0] == ' ') && line[2] == ' ') {
    char op = line[0] == 'I' ? 'I' : line[1];
    size_t comma = line.find(',', 3);
    std::string_view a = line.substr(3, comma == std::string_view::npos ? 0 : comma - 3);
    while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
    uint64_t addr = 0, size = 0;
    bool ok = (op == 'I' ? line[1] == ' ' : (op == 'L' || op == 'S' || op == 'M')) &&
              comma != std::string_view::npos && parse_hex(a, addr) &&
              parse_dec(line.substr(comma + 1), size) && size > 0 && size <= kMaxAccess;
    if (ok) {
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
      return;
    }
  }
  if (line.empty()) return;
  if (line.size() >= 3 && (line.starts_with("==") || line.starts_with("--"))) {
    // valgrind's own messages; remember the traced pid and its exit code.
    size_t end = line.find(line[0], 2);
    uint64_t pid = 0;
    if (end != std::string_view::npos && parse_dec(line.substr(2, end - 2), pid)) {
      if (main_pid_ == 0 && line[0] == '=') map_pid(pid);
      auto rest = line.substr(std::min(line.size(), end + 2));
      if (rest.starts_with(" Exit code:")) {
        auto v = rest.substr(11);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        uint64_t code = 0;
        if (parse_dec(v, code)) exit_code_ = static_cast<int>(code);
      }
      return;
    }
  }
  if (line.starts_with("SYSCALL[")) {
    if (opt_.syscalls) parse_syscall(line);
    return;
  }
  // VEX decoder diagnostics, and the result line valgrind prints after an unknown syscall.
  if (line.starts_with("vex ") || line.starts_with(" --> ")) return;
  throw FileFormatError::at_line(
      lines_.name(), lines_.line_number(),
      "expected a lackey record like ' L 04e9a0c8,8' or 'I  0400d7d4,3', found '" + printable(line) + "'");
}

void LackeyReader::parse_syscall(std::string_view line) {
  // SYSCALL[pid,tid](nr) sys_name ( a, b, c ) --> [pre-success] Success(0x..)
  // SYSCALL[pid,tid](nr) ... [async] --> Success(0x..)   (result of an earlier "[async] ..." line)
  auto bad = [&] {
    throw FileFormatError::at_line(lines_.name(), lines_.line_number(),
                                   "malformed valgrind SYSCALL line (expected 'SYSCALL[pid,tid](nr) ...')");
  };
  size_t comma = line.find(',', 8), close = line.find(']', 8);
  if (comma == std::string_view::npos || close == std::string_view::npos || comma > close) bad();
  uint64_t rpid = 0, tid = 0, nr = 0;
  if (!parse_dec(line.substr(8, comma - 8), rpid) ||
      !parse_dec(line.substr(comma + 1, close - comma - 1), tid))
    bad();
  if (close + 1 >= line.size() || line[close + 1] != '(') bad();
  size_t nr_end = line.find(')', close);
  if (nr_end == std::string_view::npos || !parse_dec(line.substr(close + 2, nr_end - close - 2), nr)) bad();
  uint32_t pid = map_pid(rpid);
  if (!interesting(nr)) return;

  std::string_view rest = line.substr(nr_end + 1);
  PendingCall call;
  call.nr = nr;
  if (rest.starts_with(" ... [async]")) {
    auto it = async_.find(tid);
    if (it == async_.end() || it->second.nr != nr) return;  // start not seen: nothing to pair with
    call = it->second;
    async_.erase(it);
  } else {
    // Arguments between the first '(' and the " )" (or ")") that precedes "-->" or the line end.
    size_t open = rest.find('(');
    size_t arrow = rest.find("-->");
    size_t end = rest.rfind(')', arrow == std::string_view::npos ? std::string_view::npos : arrow);
    if (open == std::string_view::npos || end == std::string_view::npos || end < open) bad();
    std::string_view args = rest.substr(open + 1, end - open - 1);
    for (int i = 0; i < 6 && !args.empty(); ++i) {
      size_t c = args.find(',');
      call.args[i] = parse_arg(args.substr(0, c));
      if (c == std::string_view::npos) break;
      args.remove_prefix(c + 1);
    }
    if (nr == kSysExitGroup) {
      Event e;
      e.kind = EventKind::kProcessExit;
      e.pid = pid;
      push(e);
      return;
    }
    if (arrow != std::string_view::npos && rest.find("[async] ...", arrow) != std::string_view::npos) {
      async_[tid] = call;
      return;
    }
  }
  size_t ok = rest.find("Success(");
  if (ok == std::string_view::npos) return;  // failed or no result: the address space did not change
  size_t ok_end = rest.find(')', ok);
  if (ok_end == std::string_view::npos) bad();
  uint64_t result = 0;
  if (!parse_hex(rest.substr(ok + 8, ok_end - ok - 8), result)) bad();

  Event e;
  e.pid = pid;
  const uint64_t* a = call.args;
  switch (nr) {
    case kSysMmap:
      e.kind = EventKind::kMmap, e.addr = result, e.arg = page_round(a[1]);
      break;
    case kSysMunmap:
      e.kind = EventKind::kMunmap, e.addr = a[0], e.arg = page_round(a[1]);
      break;
    case kSysMprotect:
      e.kind = EventKind::kMprotect, e.addr = a[0], e.arg = page_round(a[1]);
      e.flags = (a[2] & 2) ? 1 : 0;  // PROT_WRITE → bit0
      break;
    case kSysBrk:
      if (result == last_brk_) return;
      last_brk_ = result;
      e.kind = EventKind::kBrk, e.addr = result;
      break;
    case kSysMremap: {
      Event u = e;
      u.kind = EventKind::kMunmap, u.addr = a[0], u.arg = page_round(a[1]);
      push(u);
      e.kind = EventKind::kMmap, e.addr = result, e.arg = page_round(a[2]);
      break;
    }
    case kSysClone:
      if (a[0] & kCloneVm) return;  // a thread: same address space
      [[fallthrough]];
    case kSysFork:
    case kSysVfork:
      e.kind = EventKind::kProcessCreate, e.arg = map_pid(result);
      break;
    case kSysExecve:
      e.kind = EventKind::kExec;
      break;
    default:
      return;
  }
  push(e);
}

size_t LackeyReader::next_batch(std::span<Event> out) {
  size_t n = 0;
  for (;;) {
    while (ppos_ < npending_ && n < out.size()) out[n++] = pending_[ppos_++];
    if (n == out.size()) return n;
    npending_ = ppos_ = 0;
    std::string_view line;
    if (!lines_.next(line)) return n;
    parse_line(line);
  }
}

}  // namespace hvsim
