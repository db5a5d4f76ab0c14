#include <gtest/gtest.h>

#include <vector>

#include "common/error.h"
#include "compress_support.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/lackey_reader.h"

namespace hvsim {
namespace {

using test::gzip;
using test::xz;

std::vector<Event> parse(const std::string& text, LackeyReader::Options o = {}, size_t batch = 3) {
  LackeyReader r(ByteInput::from_memory(text, "t.lackey"), o);
  std::vector<Event> out, buf(batch);
  while (size_t n = r.next_batch(buf))
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
  return out;
}

Event os(EventKind k, uint64_t addr, uint64_t arg, uint32_t pid = 0, uint16_t flags = 0) {
  Event e;
  e.kind = k, e.addr = addr, e.arg = arg, e.pid = pid, e.flags = flags;
  return e;
}

const char* kLog =
    "==2682== Lackey, an example Valgrind tool\n"
    "==2682== Command: /usr/bin/sort in.txt\n"
    "==2682== \n"
    "I  04021a70,3\n"
    " S 1ffefff6a8,8\n"
    " L 04e9a0c8,4\n"
    " M 0403a010,16\n"
    "SYSCALL[2682,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x4835000) \n"
    "SYSCALL[2682,1](257) sys_openat ( 4294967196, 0x4034bb0(/a,b (c).so), 524288 ) --> [async] ... \n"
    "I  04021a73,5\n"
    "SYSCALL[2682,1](257) ... [async] --> Success(0x4) \n"
    "SYSCALL[2682,1](10) sys_mprotect ( 0x4a16000, 16384, 1 )[sync] --> Success(0x0) \n"
    "SYSCALL[2682,1](11) sys_munmap ( 0x483c000, 41735 )[sync] --> Success(0x0) \n"
    "SYSCALL[2682,1](11) sys_munmap ( 0x1000, 4096 )[sync] --> Failure(0x16) \n"
    "SYSCALL[2682,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000) \n"
    "SYSCALL[2682,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000) \n"
    "SYSCALL[2682,1](25) sys_mremap ( 0x5000000, 8192, 16384, 1, 0x0 ) --> [async] ... \n"
    "SYSCALL[2682,1](25) ... [async] --> Success(0x6000000) \n"
    "SYSCALL[2682,1](56) sys_clone ( 0x1200011, 0x0, 0x0, 0x4a29a10, 0x0 ) --> [async] ... \n"
    "SYSCALL[2682,1](56) ... [async] --> Success(0xa8d) \n"
    "SYSCALL[2682,1](56) sys_clone ( 0x3d0f00, 0x5000000, 0x0, 0x0, 0x0 ) --> [pre-success] Success(0xa8e) \n"
    "SYSCALL[2682,1](334) unimplemented (by the kernel) syscall: 334! (ni_syscall)\n"
    " --> [pre-fail] Failure(0x26) \n"
    "SYSCALL[2682,1](231) exit_group( 0 ) --> [pre-success] Success(0x0) \n"
    "==2682== \n"
    "==2682== Exit code:       3\n";

TEST(TraceLackey, ParsesAccessesAndSystemCalls) {
  LackeyReader r(ByteInput::from_memory(kLog, "t.lackey"));
  std::vector<Event> got, buf(2);
  while (size_t n = r.next_batch(buf))
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
  std::vector<Event> want = {
      Event::access(EventKind::kIFetch, 0x04021a70, 3),
      Event::access(EventKind::kStore, 0x1ffefff6a8, 8),
      Event::access(EventKind::kLoad, 0x04e9a0c8, 4),
      Event::access(EventKind::kLoad, 0x0403a010, 16),
      Event::access(EventKind::kStore, 0x0403a010, 16),
      os(EventKind::kMmap, 0x4835000, 8192),
      Event::access(EventKind::kIFetch, 0x04021a73, 5),
      os(EventKind::kMprotect, 0x4a16000, 16384, 0, 0),
      os(EventKind::kMunmap, 0x483c000, 45056),
      os(EventKind::kBrk, 0x4035000, 0),
      os(EventKind::kMunmap, 0x5000000, 8192),
      os(EventKind::kMmap, 0x6000000, 16384),
      os(EventKind::kProcessCreate, 0, 1),  // fork-style clone: child 0xa8d becomes trace pid 1
      os(EventKind::kProcessExit, 0, 0),
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(r.traced_pid(), 2682u);
}

TEST(TraceLackey, WritableMprotectAndOptions) {
  auto ev =
      parse("SYSCALL[9,9](10) sys_mprotect ( 0x1000, 100, 3 )[sync] --> Success(0x0) \nI  0400,2\n L 10,1\n");
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0], os(EventKind::kMprotect, 0x1000, 4096, 0, 1));
  LackeyReader::Options o;
  o.ifetch = false;
  o.syscalls = false;
  EXPECT_EQ(
      parse("SYSCALL[9,9](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x5000) \nI  0400,2\n L 10,1\n", o),
      std::vector<Event>{Event::access(EventKind::kLoad, 0x10, 1)});
}

TEST(TraceLackey, WideAccessesAreSplit) {
  auto ev = parse(" S 1000,512\n");
  ASSERT_EQ(ev.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ev[i], Event::access(EventKind::kStore, 0x1000 + 128 * i, 128));
}

// Pieces cover exactly the bytes of the access, however wide, and a modify loads and stores
// every piece.
TEST(TraceLackey, WideAccessPiecesCoverEveryByte) {
  std::vector<Event> want;
  for (uint64_t off = 0; off < 2048; off += 128) {
    want.push_back(Event::access(EventKind::kLoad, 0x1000 + off, 128));
    want.push_back(Event::access(EventKind::kStore, 0x1000 + off, 128));
  }
  for (uint64_t off = 0; off < 2048; off += 128)
    want.push_back(Event::access(EventKind::kLoad, 0x9000 + off, 128));
  EXPECT_EQ(parse(" M 1000,2048\n L 9000,2048\n", {}, 7), want);
  EXPECT_EQ(parse(" S 1000,300\n"), (std::vector<Event>{Event::access(EventKind::kStore, 0x1000, 128),
                                                        Event::access(EventKind::kStore, 0x1080, 128),
                                                        Event::access(EventKind::kStore, 0x1100, 44)}));
  EXPECT_EQ(parse(" M 10,255\n"), (std::vector<Event>{Event::access(EventKind::kLoad, 0x10, 255),
                                                      Event::access(EventKind::kStore, 0x10, 255)}));
  EXPECT_EQ(parse("I  20,2047\n").size(), 16u);
  EXPECT_EQ(parse("I  20,2047\n").back(), Event::access(EventKind::kIFetch, 0x20 + 15 * 128, 127));
  EXPECT_THROW(parse(" M 1000,2049\n"), FileFormatError);  // wider than any x86 access
}

// Writes events back as lackey text: a round trip through the reader must give them back.
std::string to_lackey(const std::vector<Event>& ev) {
  std::string s = "==1== Lackey\n";
  char line[64];
  for (auto& e : ev) {
    const char* p = e.kind == EventKind::kIFetch ? "I  %08lx,%u\n"
                    : e.kind == EventKind::kLoad ? " L %08lx,%u\n"
                                                 : " S %08lx,%u\n";
    std::snprintf(line, sizeof line, p, static_cast<unsigned long>(e.addr), e.size);
    s += line;
  }
  return s;
}

TEST(TraceLackey, RoundTripPlainGzipXz) {
  std::vector<Event> ev;
  for (uint64_t i = 0; i < 20000; ++i)
    ev.push_back(Event::access(static_cast<EventKind>(i % 3), 0x400000 + i * 40 % 9000,
                               static_cast<uint8_t>(1 + i % 8)));
  std::string text = to_lackey(ev);
  EXPECT_EQ(parse(text, {}, 1000), ev);
  EXPECT_EQ(parse(gzip(text), {}, 1000), ev);
  EXPECT_EQ(parse(xz(text), {}, 1000), ev);
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TraceLackey, BadInputNamesFileAndLine) {
  EXPECT_EQ(error_of("I  0400,2\n L zz,4\n"),
            "t.lackey:2: expected a lackey record like ' L 04e9a0c8,8' or 'I  0400d7d4,3', found ' L zz,4'");
  EXPECT_EQ(error_of("I  0400,2\n\n X 10,4\n").substr(0, 11), "t.lackey:3:");
  EXPECT_EQ(error_of(" L 10,0\n").substr(0, 11), "t.lackey:1:");
  EXPECT_EQ(error_of("SYSCALL[12](9) x\n"),
            "t.lackey:1: malformed valgrind SYSCALL line (expected 'SYSCALL[pid,tid](nr) ...')");
  EXPECT_EQ(error_of(std::string(100, 'a')).substr(0, 11), "t.lackey:1:");
  std::string gz = gzip(to_lackey({Event::access(EventKind::kLoad, 0x10, 4)}));
  EXPECT_NE(error_of(gz.substr(0, gz.size() - 6)).find("t.lackey: at byte offset"), std::string::npos);
}

}  // namespace
}  // namespace hvsim

namespace hvsim {
namespace {

// Found by lackey_fuzz: a valgrind-style prefix with nothing after it.
TEST(TraceLackey, BarePidPrefixIsNoise) {
  EXPECT_TRUE(parse("==11=\n").empty());
  EXPECT_TRUE(parse("==11==\n").empty());
  EXPECT_TRUE(parse("--7--\n").empty());
  EXPECT_EQ(error_of("==11=="), "t.lackey:1: truncated last line (no newline at end of file)");
}

// A log cut in the middle of its last line (a copy interrupted, a full disk) is not a shorter
// valid log: the last record would be read with a truncated address or size.
TEST(TraceLackey, TruncatedLastLineIsAnError) {
  EXPECT_EQ(error_of(" L 1000,8\n L 0403a0"), "t.lackey:2: truncated last line (no newline at end of file)");
  EXPECT_EQ(error_of(" L 1000,8\n L 0403a010,1"),
            "t.lackey:2: truncated last line (no newline at end of file)");
  EXPECT_EQ(error_of("I  0400,2\r"), "t.lackey:1: truncated last line (no newline at end of file)");
  EXPECT_EQ(error_of(" L 1000,8\nSYSCALL[5,1](9) sys_mmap ( 0x0, 81"),
            "t.lackey:2: truncated last line (no newline at end of file)");
  // Except where valgrind itself stops mid-line: after the arguments of a call that never
  // returned to it (execve succeeded, so the process exec'd).
  EXPECT_EQ(parse(" L 1000,8\nSYSCALL[5,1](59) sys_execve ( 0x1298b8(/bin/true), 0x1298e0, 0x4035bf8 )"),
            (std::vector<Event>{Event::access(EventKind::kLoad, 0x1000, 8), os(EventKind::kExec, 0, 0)}));
  EXPECT_EQ(parse(" L 1000,8\r\n"), std::vector<Event>{Event::access(EventKind::kLoad, 0x1000, 8)});
}

}  // namespace
}  // namespace hvsim

namespace hvsim {
namespace {

// A forking parent's log as valgrind 3.19 writes it (--log-file=%p): fork and fork-style clone
// print "created child" and their result on the next line; clone's flags are hex without 0x;
// a thread's first record can follow a clone's result on the same line.
const char* kParentLog =
    "==100== Lackey, an example Valgrind tool\n"
    " L 1000,8\n"
    "SYSCALL[100,1](58) sys_fork ( )   fork: process 100 created child 200\n"
    " --> [pre-success] Success(0xc8) \n"
    " S 2000,8\n"
    "SYSCALL[100,1](56) sys_clone ( 1200011, 0x0, 0x0, 0x4a5ca10, 0x0 )   clone(fork): process 100 created "
    "child 201\n"
    " --> [pre-success] Success(0xc9) \n"
    "SYSCALL[100,1](56) sys_clone ( 3d0f00, 0x522bf70, 0x522c990, 0x522c990, 0x522c6c0 ) --> [pre-success] "
    "Success(0xca) I  0494fb42,3\n"
    "I  0494fb45,2\n"
    "SYSCALL[100,2](60) exit( 0 ) --> [pre-success] Success(0x0) \n"
    "\n"
    "SYSCALL[100,1](231) exit_group( 7 ) --> [pre-success] Success(0x0) \n"
    "==100== Exit code:       0\n";

TEST(TraceLackey, ForksAndClonesBecomeProcessCreates) {
  std::vector<Event> want = {
      Event::access(EventKind::kLoad, 0x1000, 8),
      os(EventKind::kProcessCreate, 0, 1),
      Event::access(EventKind::kStore, 0x2000, 8),
      os(EventKind::kProcessCreate, 0, 2),  // clone without CLONE_VM: 0x1200011, not decimal 1200011
      Event::access(EventKind::kIFetch, 0x494fb42, 3),  // the new thread's, glued to the result
      Event::access(EventKind::kIFetch, 0x494fb45, 2),
      os(EventKind::kProcessExit, 0, 0),
  };
  EXPECT_EQ(parse(kParentLog, {}, 1), want);
  EXPECT_EQ(parse(kParentLog, {}, 100), want);
}

TEST(TraceLackey, SharedPidNumberingAndStopAfterFork) {
  uint32_t next = 10;
  LackeyReader::Options o;
  o.pid = 4;
  o.next_pid = &next;
  o.stop_after_fork = true;
  LackeyReader r(ByteInput::from_memory(kParentLog, "p.lackey"), o);
  std::vector<Event> buf(100);
  auto batch = [&] {
    return std::vector<Event>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.next_batch(buf)));
  };
  EXPECT_EQ(batch(), (std::vector<Event>{Event::access(EventKind::kLoad, 0x1000, 8, 4),
                                         os(EventKind::kProcessCreate, 0, 10, 4)}));
  auto f = r.take_fork();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->child, 10u);
  EXPECT_EQ(f->real_child, 200u);
  EXPECT_FALSE(r.take_fork());  // once
  EXPECT_EQ(batch(), (std::vector<Event>{Event::access(EventKind::kStore, 0x2000, 8, 4),
                                         os(EventKind::kProcessCreate, 0, 11, 4)}));
  f = r.take_fork();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->child, 11u);
  EXPECT_EQ(f->real_child, 201u);
  EXPECT_EQ(batch().size(), 3u);
  EXPECT_FALSE(r.take_fork());
  EXPECT_TRUE(batch().empty());
  EXPECT_EQ(next, 12u);
}

TEST(TraceLackey, ChildLogExecExitAndSignalDeath) {
  // A forked child's log: its half of the fork result first, then its accesses up to a
  // successful execve, where valgrind stops (no result, no newline).
  LackeyReader::Options o;
  o.pid = 3;
  EXPECT_EQ(
      parse("==200== Lackey\n==200== Parent PID: 100\n --> [pre-success] Success(0x0) \n L 3000,8\n"
            "SYSCALL[200,1](59) sys_execve ( 0x1298b8(/bin/true), 0x1298e0, 0x4035bf8 )",
            o),
      (std::vector<Event>{Event::access(EventKind::kLoad, 0x3000, 8, 3), os(EventKind::kExec, 0, 0, 3)}));
  // A failed execve changes nothing; the process goes on and exits.
  EXPECT_EQ(
      parse("==200== Lackey\n"
            "SYSCALL[200,1](59) sys_execve ( 0x129908(/nonexistent), 0x129930, 0x4035bf8 ) --> [pre-fail] "
            "Failure(0x2) \n"
            "SYSCALL[200,1](231) exit_group( 127 ) --> [pre-success] Success(0x0) \n",
            o),
      std::vector<Event>{os(EventKind::kProcessExit, 0, 0, 3)});
  // Death by a signal ends the process once.
  EXPECT_EQ(
      parse("==300== Lackey\n L 10,1\n==300== \n==300== Process terminating with default action of signal 11 "
            "(SIGSEGV)\n==300==  Access not within mapped region at address 0x0\n==300== Exit code: 0\n"),
      (std::vector<Event>{Event::access(EventKind::kLoad, 0x10, 1), os(EventKind::kProcessExit, 0, 0)}));
}

// Several processes in one log (--log-fd with children): system calls are attributed by their
// pid; a forked child keeps the number its fork gave it.
TEST(TraceLackey, SystemCallsOfSeveralProcessesInOneLog) {
  EXPECT_EQ(parse("==100== Lackey\n"
                  "SYSCALL[100,1](57) sys_fork ( )   fork: process 100 created child 200\n"
                  " --> [pre-success] Success(0xc8) \n"
                  "SYSCALL[200,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] "
                  "Success(0x4835000) \n"
                  "SYSCALL[300,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x5000) \n"),
            (std::vector<Event>{os(EventKind::kProcessCreate, 0, 1), os(EventKind::kMmap, 0x4835000, 8192, 1),
                                os(EventKind::kBrk, 0x5000, 0, 2)}));
}

}  // namespace
}  // namespace hvsim

namespace hvsim {
namespace {

// The most events one line can make: an exec left open by the line before, an mremap's unmap
// and map, and a 2048-byte modify of another thread glued after the result.
TEST(TraceLackey, LineWithTheMostEvents) {
  auto ev = parse(
      "SYSCALL[5,1](59) sys_execve ( 0x1298b8(/x), 0x1298e0, 0x4035bf8 )\n"
      "SYSCALL[5,1](25) sys_mremap ( 0x5000000, 8192, 16384, 1, 0x0 ) --> [pre-success] Success(0x6000000)  "
      "M "
      "1000,2048\n",
      {}, 5);
  ASSERT_EQ(ev.size(), 35u);
  EXPECT_EQ(ev[0], os(EventKind::kExec, 0, 0));
  EXPECT_EQ(ev[1], os(EventKind::kMunmap, 0x5000000, 8192));
  EXPECT_EQ(ev[2], os(EventKind::kMmap, 0x6000000, 16384));
  EXPECT_EQ(ev[3], Event::access(EventKind::kLoad, 0x1000, 128));
  EXPECT_EQ(ev[34], Event::access(EventKind::kStore, 0x1000 + 15 * 128, 128));
}

}  // namespace
}  // namespace hvsim
