// The tiny real-mode or 64-bit user-mode guests of `hvsim io measure`, assembled here byte by byte (Intel SDM
// vol. 2 encodings; the comments give the instruction). Each ends by writing KvmVm::kDonePort.
#pragma once
#include <cstdint>
#include <vector>

#include "kvm/kvm_vm.h"

namespace hvsim {

inline constexpr uint16_t kUserPort = 0x30;       // exits to user space
inline constexpr uint16_t kEventPort = 0x20;      // bound to an ioeventfd
inline constexpr uint16_t kRequestAddr = 0x500;   // ring: the guest's request counter (DS)
inline constexpr uint16_t kResponseAddr = 0x540;  // ring: the host's response (another line)

// `n` iterations of an empty loop: time per iteration tells native from emulated execution.
std::vector<uint8_t> guest_empty_loop(uint16_t n, GuestMode mode = GuestMode::kReal);
// `n` writes to an I/O port.
std::vector<uint8_t> guest_port_writes(uint16_t port, uint16_t n, GuestMode mode = GuestMode::kReal);
// `n` writes to ES:0, an address with no memory slot (MMIO).
std::vector<uint8_t> guest_mmio_writes(uint16_t n, GuestMode mode = GuestMode::kReal);
// `n` CPUIDs (leaf 0), counted in EDI since CPUID writes EAX to EDX: on VMX and SVM every
// CPUID exits, and KVM answers it in the kernel.
std::vector<uint8_t> guest_cpuid_exits(uint16_t n, GuestMode mode = GuestMode::kReal);
// `n` requests on a shared-memory ring: write the request counter, optionally kick `kick_port`,
// spin until the host echoes it.
std::vector<uint8_t> guest_ring(uint16_t n, bool kick, GuestMode mode = GuestMode::kReal);

}  // namespace hvsim
