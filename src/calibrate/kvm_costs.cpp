#include "calibrate/kvm_costs.h"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "kvm/kvm_vm.h"

namespace hvsim {

const KvmMeasurement* KvmCosts::row(const std::string& name) const {
  if (cpuid.name == name) return &cpuid;
  for (const auto& m : report.rows)
    if (m.name == name) return &m;
  return nullptr;
}

double KvmCosts::kernel_exit_ns() const {
  const auto* m = row("PIO exit to in-kernel ioeventfd");
  return m ? m->median_ns : 0;
}
double KvmCosts::user_exit_ns() const {
  const auto* m = row("PIO exit to user space");
  return m ? m->median_ns : 0;
}
double KvmCosts::cpuid_exit_ns() const { return cpuid.name.empty() ? 0 : cpuid.median_ns; }

std::string kvm_module() {
  for (const char* m : {"kvm_intel", "kvm_amd", "kvm_pvm"})
    if (std::error_code ec; std::filesystem::exists(std::string("/sys/module/") + m, ec)) return m;
  return "";
}

void judge_kvm_costs(KvmCosts& k, KvmChoice choice) {
  k.use = false;
  if (!k.unavailable.empty()) {
    k.reason = k.unavailable;
  } else if (k.report.emulated || k.report.rows.empty()) {
    k.reason = fmt::format(
        "guest code is emulated on this /dev/kvm (an empty guest loop iteration takes {:.0f} ns), so exit "
        "times are the emulator's",
        k.report.loop_ns);
  } else if (choice == KvmChoice::kDefault) {
    k.reason =
        fmt::format("--kvm-costs default (measured {:.0f} ns for an exit to the kernel)", k.kernel_exit_ns());
  } else if (k.module == "kvm_pvm" && choice == KvmChoice::kAuto) {
    k.reason = fmt::format(
        "/dev/kvm is kvm_pvm, whose guests run in this machine's user mode: an exit is a software switch "
        "(measured {:.0f} ns to the kernel, {:.0f} ns to user space), not the hardware VM exit this key "
        "models (--kvm-costs measured takes them)",
        k.kernel_exit_ns(), k.user_exit_ns());
  } else {
    k.use = true;
    k.reason = fmt::format("measured on /dev/kvm ({})", k.module.empty() ? "module not known" : k.module);
  }
}

KvmCosts measure_kvm_costs(KvmChoice choice, uint16_t requests, uint32_t repeats) {
  KvmCosts k;
  k.module = kvm_module();
  if (auto why = kvm_unavailable()) {
    k.unavailable = "KVM is not usable here (" + *why + ")";
  } else {
    try {
      k.report = measure_kvm(requests, repeats, KvmCases::kExitsOnly);
    } catch (const std::runtime_error& e) {
      k.unavailable = std::string("KVM refused (") + e.what() + ")";
    }
    try {
      if (k.unavailable.empty()) k.cpuid = measure_cpuid_exit(requests, repeats, k.report.mode);
    } catch (const std::runtime_error& e) {
      k.report.notes.push_back(std::string("the CPUID exit was not measured (") + e.what() + ")");
    }
  }
  judge_kvm_costs(k, choice);
  return k;
}

}  // namespace hvsim
