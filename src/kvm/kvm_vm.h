// A tiny KVM virtual machine built by hvsim itself: 512 KiB of guest memory at guest-physical 0,
// one vCPU in real mode starting at 0x1000, I/O event fds, and the vCPU's binary statistics
// (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst 4.133). Nothing outside the program: the
// guest code is bytes assembled in guest_code.cpp.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hvsim {

// Real mode at CPL0, or 64-bit long mode at CPL3 with IOPL=3 (port I/O allowed): kvm_pvm
// emulates CPL0 guest code but runs a CPL3 guest natively.
enum class GuestMode : uint8_t { kReal, kLong64User };

// Why KVM cannot be used here, or nothing.
std::optional<std::string> kvm_unavailable();

class KvmVm {
 public:
  static constexpr uint64_t kMemBytes = 512 * 1024;
  static constexpr uint64_t kCodeAddr = 0x1000;
  static constexpr uint64_t kMmioBase = 0xE0000;  // no memory slot: accesses exit as MMIO
  static constexpr uint16_t kDonePort = 0x10;     // the guest's "finished" port

  // Throws std::runtime_error naming the ioctl that failed.
  KvmVm();
  ~KvmVm();
  KvmVm(const KvmVm&) = delete;
  KvmVm& operator=(const KvmVm&) = delete;

  // Loads `code` at kCodeAddr and resets the vCPU to run it: real mode with DS base 0 and ES
  // base kMmioBase, or long mode with 0..2 MiB identity-mapped for user access.
  void load(const std::vector<uint8_t>& code, GuestMode mode = GuestMode::kReal);
  // An eventfd signalled by guest writes to `port` (PIO) or `addr` (MMIO), handled in the kernel.
  int add_ioeventfd(uint64_t addr, bool pio);
  // Runs until the guest writes kDonePort or halts; returns the exits to user space on the way
  // (other ports and MMIO). Throws on an unexpected exit.
  uint64_t run();
  // Every vCPU statistic by name ("exits", "io_exits", ...), the first value of each.
  std::map<std::string, uint64_t> stats() const;
  volatile uint8_t* memory() { return mem_; }

 private:
  int kvm_ = -1, vm_ = -1, vcpu_ = -1, stats_fd_ = -1;
  uint8_t* mem_ = nullptr;
  void* run_ = nullptr;
  size_t run_size_ = 0;
  std::vector<int> eventfds_;
  void enter_long_mode();
};

}  // namespace hvsim
