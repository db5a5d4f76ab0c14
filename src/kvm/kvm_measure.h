// Real measurements on /dev/kvm for `hvsim io measure`: exit round trips (PIO and MMIO, to user
// space and to an in-kernel ioeventfd), a shared-memory ring against a host thread that polls
// (exitless) or blocks on a kick's eventfd, and exits per request from KVM's vCPU statistics.
// Execution speed is measured first: where guest code is emulated (kvm_pvm at CPL0), times are
// the emulator's and are marked untrusted; counts stay exact.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kvm/kvm_vm.h"

namespace hvsim {

struct KvmMeasurement {
  std::string name;
  uint32_t requests = 0;                         // per repetition
  double median_ns = 0, min_ns = 0, max_ns = 0;  // per request, over repetitions
  double user_exits_per_request = 0;             // exits that reached hvsim (KVM_RUN returned)
  double kvm_exits_per_request = -1;             // vCPU stat "exits"; -1 without stats
};

struct KvmReport {
  GuestMode mode = GuestMode::kReal;  // the guests the rows ran
  double loop_ns = 0;                 // one empty guest loop iteration
  bool emulated = false;              // guest code is emulated: times are not the hardware's
  bool have_stats = false;
  std::vector<KvmMeasurement> rows;
  std::vector<std::string> notes;  // what could not be measured here, and why
};

// Which measurements: all, or the exit round trips only (no rings against a host thread).
enum class KvmCases : uint8_t { kAll, kExitsOnly };

// Runs every measurement `repeats` times with `requests` requests each. Throws
// std::runtime_error if KVM refuses an operation midway.
KvmReport measure_kvm(uint16_t requests, uint32_t repeats, KvmCases cases = KvmCases::kAll);
// The round trip of an exit KVM handles in the kernel without an eventfd: `requests` CPUIDs in
// guests of `mode` (KvmReport::mode), `repeats` times. Throws as measure_kvm.
KvmMeasurement measure_cpuid_exit(uint16_t requests, uint32_t repeats, GuestMode mode);

}  // namespace hvsim
