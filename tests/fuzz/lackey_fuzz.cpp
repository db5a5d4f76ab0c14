#include <vector>

#include "fuzz_common.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/lackey_reader.h"

using namespace hvsim;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::maybe_write_seeds(6, [](int i) -> std::string {
    if (i == 0) return "==1== Lackey\nI  04021a70,3\n L 1ffefff6a8,8\n S 10,4\n M 0403a010,16\n";
    if (i == 1)
      return "SYSCALL[2682,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] "
             "Success(0x4835000) \n"
             "SYSCALL[2682,1](25) sys_mremap ( 0x5000000, 8192, 16384, 1, 0x0 ) --> [async] ... \n"
             "SYSCALL[2682,1](25) ... [async] --> Success(0x6000000) \n"
             "SYSCALL[2682,1](56) sys_clone ( 0x1200011, 0x0 ) --> [pre-success] Success(0xa8d) \n"
             "SYSCALL[2682,1](231) exit_group( 0 ) --> [pre-success] Success(0x0) \n==2682== Exit code: 0\n";
    if (i == 2) return " S 1000,512\n M 2000,2048\n --> [pre-fail] Failure(0x26) \nvex amd64->IR: x\n";
    if (i == 3)
      return "==100== Lackey\n"
             "SYSCALL[100,1](58) sys_fork ( )   fork: process 100 created child 200\n"
             " --> [pre-success] Success(0xc8) \n"
             "SYSCALL[100,1](56) sys_clone ( 1200011, 0x0, 0x0, 0x4a5ca10, 0x0 )   clone(fork): process 100 "
             "created child 201\n --> [pre-success] Success(0xc9) \n"
             "SYSCALL[100,1](56) sys_clone ( 3d0f00, 0x522bf70, 0x0, 0x0, 0x0 ) --> [pre-success] "
             "Success(0xca) I  0494fb42,3\n"
             "==100== Process terminating with default action of signal 11 (SIGSEGV)\n";
    if (i == 5)  // the most events one line makes (an exec, an mremap, a glued 2048-byte M)
      return "SYSCALL[5,1](59) sys_execve ( 0x1298b8(/x), 0x1298e0, 0x4035bf8 )\n"
             "SYSCALL[5,1](25) sys_mremap ( 0x5000000, 8192, 16384, 1, 0x0 ) --> [pre-success] "
             "Success(0x6000000)  M 1000,2048\n";
    return "==200== Parent PID: 100\n --> [pre-success] Success(0x0) \n L 3000,8\n"
           "SYSCALL[200,1](59) sys_execve ( 0x1298b8(/bin/true), 0x1298e0, 0x4035bf8 )";
  });
  return 0;
}

// Odd-sized inputs are read the way the recorder reads a process's log: a given pid, shared
// numbering, stopping after each fork.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    LackeyReader::Options o;
    uint32_t next = 7;
    if (size % 2) {
      o.pid = 3;
      o.next_pid = &next;
      o.stop_after_fork = true;
    }
    LackeyReader r(
        ByteInput::from_memory(std::string_view(reinterpret_cast<const char*>(data), size), "f.lackey"), o);
    std::vector<Event> buf(997);
    while (size_t n = r.next_batch(buf)) {
      auto fork = r.take_fork();
      if (size % 2 && fork && (buf[n - 1].kind != EventKind::kProcessCreate || buf[n - 1].arg != fork->child))
        __builtin_trap();
    }
  } catch (const InputError&) {
  }
  return 0;
}
