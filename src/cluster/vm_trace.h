// What the cluster model replays: VM requests (memory, CPU, GPU, lifetime) and hosts, read from
// any of the trace formats (trace_readers.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvsim {

struct VmRequest {
  uint64_t memory_mib = 0;
  uint64_t cpu_milli = 0;  // 0: unknown or none; never constrains
  uint64_t gpu_milli = 0;  // thousandths of a GPU
  int64_t start = 0;       // seconds (file order when the trace has no times)
  int64_t end = -1;        // -1: never leaves (still running at the trace's end, or no times)
};

struct HostSpec {
  uint64_t memory_mib = 0;
  uint64_t cpu_milli = 0;  // 0: not constrained
  uint64_t gpu_milli = 0;
};

struct VmTrace {
  std::vector<VmRequest> vms;
  uint64_t skipped_never_ran = 0;  // rows of tasks that were never scheduled (openb Pending)
  bool has_times = true;           // false: arrival-only (file order)
  bool has_cpu = false, has_gpu = false;
  std::vector<std::string> warnings;
};

}  // namespace hvsim
