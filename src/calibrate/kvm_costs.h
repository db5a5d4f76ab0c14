// Exit costs from /dev/kvm for the profile, by the measurements `hvsim io measure` makes
// (src/kvm/): a port-I/O exit to user space, one to an in-kernel ioeventfd, and a CPUID exit
// KVM answers in the kernel. They go into the profile only where they are a hardware VM exit:
// KVM present, guest code not emulated, and not kvm_pvm (PVM runs guests in the user mode of a
// machine that may itself be a VM: its exits are software switches) unless asked for.
#pragma once
#include <string>

#include "kvm/kvm_measure.h"

namespace hvsim {

enum class KvmChoice : uint8_t {
  kAuto,      // measured values where they are hardware exits, else the defaults
  kMeasured,  // measured values wherever KVM runs guest code natively
  kDefault,   // the default profile's values, measured or not
};

struct KvmCosts {
  std::string module;       // kvm_intel, kvm_amd, kvm_pvm, or "" (not known)
  std::string unavailable;  // why nothing was measured ("" when KVM ran)
  KvmReport report;         // what ran
  KvmMeasurement cpuid;     // name empty when not measured
  bool use = false;         // the measured values go into the profile
  std::string reason;       // one line: why they are used, or why the defaults are kept

  // The medians of the rows, ns; 0 when not measured.
  double kernel_exit_ns() const;  // PIO exit to an in-kernel ioeventfd
  double user_exit_ns() const;    // PIO exit to user space
  double cpuid_exit_ns() const;
  const KvmMeasurement* row(const std::string& name) const;
};

// The KVM module loaded here, from /sys/module; "" if none of the known ones.
std::string kvm_module();
// Sets `use` and `reason` from what was measured and `choice`.
void judge_kvm_costs(KvmCosts& k, KvmChoice choice);
// Measures (unless KVM is unavailable or refuses, which is recorded) and judges.
KvmCosts measure_kvm_costs(KvmChoice choice, uint16_t requests = 2000, uint32_t repeats = 5);

}  // namespace hvsim
