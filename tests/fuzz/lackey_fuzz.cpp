#include "fuzz_common.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/lackey_reader.h"

using namespace hvsim;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::maybe_write_seeds(3, [](int i) -> std::string {
    if (i == 0) return "==1== Lackey\nI  04021a70,3\n L 1ffefff6a8,8\n S 10,4\n M 0403a010,16\n";
    if (i == 1)
      return "SYSCALL[2682,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] "
             "Success(0x4835000) \n"
             "SYSCALL[2682,1](25) sys_mremap ( 0x5000000, 8192, 16384, 1, 0x0 ) --> [async] ... \n"
             "SYSCALL[2682,1](25) ... [async] --> Success(0x6000000) \n"
             "SYSCALL[2682,1](56) sys_clone ( 0x1200011, 0x0 ) --> [pre-success] Success(0xa8d) \n"
             "SYSCALL[2682,1](231) exit_group( 0 ) --> [pre-success] Success(0x0) \n==2682== Exit code: 0\n";
    return " S 1000,512\n --> [pre-fail] Failure(0x26) \nvex amd64->IR: x\n";
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    LackeyReader r(
        ByteInput::from_memory(std::string_view(reinterpret_cast<const char*>(data), size), "f.lackey"));
    fuzz::drain(r);
  } catch (const InputError&) {
  }
  return 0;
}
