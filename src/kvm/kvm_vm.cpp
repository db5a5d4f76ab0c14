#include "kvm/kvm_vm.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hvsim {
namespace {

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

std::optional<std::string> kvm_unavailable() {
  if (const char* hide = std::getenv("HVSIM_NO_KVM"); hide && *hide)
    return std::string("HVSIM_NO_KVM is set");
  const int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::string("/dev/kvm: ") + std::strerror(errno);
  const int api = ::ioctl(fd, KVM_GET_API_VERSION, 0);
  const int vm = ::ioctl(fd, KVM_CREATE_VM, 0);
  const int err = errno;
  if (vm >= 0) ::close(vm);
  ::close(fd);
  if (api != KVM_API_VERSION) return "/dev/kvm: API version " + std::to_string(api) + ", expected 12";
  if (vm < 0) return std::string("KVM_CREATE_VM: ") + std::strerror(err);
  return std::nullopt;
}

KvmVm::KvmVm() {
  kvm_ = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm_ < 0) fail("/dev/kvm");
  vm_ = ::ioctl(kvm_, KVM_CREATE_VM, 0);
  if (vm_ < 0) fail("KVM_CREATE_VM");
  void* m = ::mmap(nullptr, kMemBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) fail("mmap guest memory");
  mem_ = static_cast<uint8_t*>(m);
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.guest_phys_addr = 0;
  region.memory_size = kMemBytes;
  region.userspace_addr = reinterpret_cast<uint64_t>(mem_);
  if (::ioctl(vm_, KVM_SET_USER_MEMORY_REGION, &region) < 0) fail("KVM_SET_USER_MEMORY_REGION");
  vcpu_ = ::ioctl(vm_, KVM_CREATE_VCPU, 0);
  if (vcpu_ < 0) fail("KVM_CREATE_VCPU");
  const int size = ::ioctl(kvm_, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (size <= 0) fail("KVM_GET_VCPU_MMAP_SIZE");
  run_size_ = static_cast<size_t>(size);
  run_ = ::mmap(nullptr, run_size_, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_, 0);
  if (run_ == MAP_FAILED) fail("mmap kvm_run");
  stats_fd_ = ::ioctl(vcpu_, KVM_GET_STATS_FD, 0);  // optional: stats() is empty without it
}

KvmVm::~KvmVm() {
  for (int fd : eventfds_) ::close(fd);
  if (stats_fd_ >= 0) ::close(stats_fd_);
  if (run_ && run_ != MAP_FAILED) ::munmap(run_, run_size_);
  if (vcpu_ >= 0) ::close(vcpu_);
  if (mem_) ::munmap(mem_, kMemBytes);
  if (vm_ >= 0) ::close(vm_);
  if (kvm_ >= 0) ::close(kvm_);
}

void KvmVm::load(const std::vector<uint8_t>& code, GuestMode mode) {
  std::memcpy(mem_ + kCodeAddr, code.data(), code.size());
  kvm_regs regs{};
  regs.rip = kCodeAddr;
  regs.rflags = 2;
  if (mode == GuestMode::kLong64User) {
    enter_long_mode();
    regs.rflags = 2 | (3u << 12);  // IOPL=3: port I/O at CPL3 without a #GP
    regs.rsp = 0x8000;
  } else {
    kvm_sregs sregs{};
    if (::ioctl(vcpu_, KVM_GET_SREGS, &sregs) < 0) fail("KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    sregs.ds.base = 0;
    sregs.ds.selector = 0;
    sregs.es.base = kMmioBase;
    sregs.es.selector = static_cast<uint16_t>(kMmioBase >> 4);
    if (::ioctl(vcpu_, KVM_SET_SREGS, &sregs) < 0) fail("KVM_SET_SREGS");
  }
  if (::ioctl(vcpu_, KVM_SET_REGS, &regs) < 0) fail("KVM_SET_REGS");
}

// Page tables at 0x2000 (PML4), 0x3000 (PDPT), 0x4000 (PD: one 2 MiB user page at 0), a GDT at
// 0x6000 with user code/data and a TSS at 0x5000 (Intel SDM vol. 3, 4.5 and 3.4.5), and the
// host's supported CPUID (long mode needs it).
void KvmVm::enter_long_mode() {
  auto put = [&](uint64_t addr, uint64_t v) { std::memcpy(mem_ + addr, &v, sizeof v); };
  put(0x2000, 0x3000 | 7);  // present, writable, user
  put(0x3000, 0x4000 | 7);
  put(0x4000, 0x87);                           // + 2 MiB page
  put(0x6000 + 3 * 8, 0x0020FA0000000000ull);  // user code: L=1, DPL=3
  put(0x6000 + 4 * 8, 0x00CFF2000000FFFFull);  // user data: DPL=3
  put(0x6000 + 5 * 8, 0x0000890050000067ull);  // TSS at 0x5000, limit 0x67
  constexpr int kMaxCpuid = 100;
  std::vector<uint8_t> buf(sizeof(kvm_cpuid2) + kMaxCpuid * sizeof(kvm_cpuid_entry2));
  auto* cpuid = reinterpret_cast<kvm_cpuid2*>(buf.data());
  cpuid->nent = kMaxCpuid;
  // Best effort: where the host refuses the query, the vCPU keeps KVM's default CPUID.
  if (::ioctl(kvm_, KVM_GET_SUPPORTED_CPUID, cpuid) == 0 && ::ioctl(vcpu_, KVM_SET_CPUID2, cpuid) < 0)
    fail("KVM_SET_CPUID2");
  kvm_sregs s{};
  if (::ioctl(vcpu_, KVM_GET_SREGS, &s) < 0) fail("KVM_GET_SREGS");
  s.cr3 = 0x2000;
  s.cr4 = 1u << 5;                  // PAE
  s.cr0 = 0x80050033;               // PG, AM, WP, NE, ET, MP, PE
  s.efer = (1u << 8) | (1u << 10);  // LME, LMA
  kvm_segment code{};
  code.limit = 0xFFFFFFFF;
  code.selector = 3 * 8 | 3;
  code.type = 11;
  code.present = 1;
  code.dpl = 3;
  code.s = 1;
  code.l = 1;
  code.g = 1;
  kvm_segment data = code;
  data.selector = 4 * 8 | 3;
  data.type = 3;
  data.l = 0;
  data.db = 1;
  s.cs = code;
  s.ds = s.es = s.fs = s.gs = s.ss = data;
  s.tr = kvm_segment{};
  s.tr.base = 0x5000;
  s.tr.limit = 0x67;
  s.tr.selector = 5 * 8;
  s.tr.type = 11;
  s.tr.present = 1;
  s.gdt.base = 0x6000;
  s.gdt.limit = 7 * 8 - 1;
  if (::ioctl(vcpu_, KVM_SET_SREGS, &s) < 0) fail("KVM_SET_SREGS (long mode)");
}

int KvmVm::add_ioeventfd(uint64_t addr, bool pio) {
  const int fd = ::eventfd(0, EFD_CLOEXEC);
  if (fd < 0) fail("eventfd");
  eventfds_.push_back(fd);
  kvm_ioeventfd io{};
  io.addr = addr;
  io.len = 1;
  io.fd = fd;
  io.flags = pio ? KVM_IOEVENTFD_FLAG_PIO : 0;
  if (::ioctl(vm_, KVM_IOEVENTFD, &io) < 0) fail("KVM_IOEVENTFD");
  return fd;
}

uint64_t KvmVm::run() {
  auto* r = static_cast<kvm_run*>(run_);
  uint64_t user_exits = 0;
  for (;;) {
    if (::ioctl(vcpu_, KVM_RUN, 0) < 0) {
      if (errno == EINTR) continue;
      fail("KVM_RUN");
    }
    switch (r->exit_reason) {
      case KVM_EXIT_IO:
        if (r->io.port == kDonePort) return user_exits;
        ++user_exits;
        break;
      case KVM_EXIT_MMIO:
        ++user_exits;
        break;
      case KVM_EXIT_HLT:
        return user_exits;
      default:
        throw std::runtime_error("KVM_RUN: unexpected exit reason " + std::to_string(r->exit_reason));
    }
  }
}

std::map<std::string, uint64_t> KvmVm::stats() const {
  std::map<std::string, uint64_t> out;
  if (stats_fd_ < 0) return out;
  kvm_stats_header h{};
  if (::pread(stats_fd_, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h)) return out;
  // The fixed part of a descriptor is 16 bytes (api.rst); in C++ the kernel header's flexible
  // array macro makes sizeof(kvm_stats_desc) larger, so it is not used.
  constexpr size_t kDescFixed = 16;
  const size_t desc_size = kDescFixed + h.name_size;
  std::vector<char> descs(desc_size * h.num_desc);
  if (::pread(stats_fd_, descs.data(), descs.size(), h.desc_offset) != static_cast<ssize_t>(descs.size()))
    return out;
  for (uint32_t i = 0; i < h.num_desc; ++i) {
    uint32_t offset = 0;  // after flags (4), exponent (2), size (2)
    std::memcpy(&offset, descs.data() + i * desc_size + 8, sizeof offset);
    const char* name = descs.data() + i * desc_size + kDescFixed;
    uint64_t v = 0;
    if (::pread(stats_fd_, &v, sizeof v, h.data_offset + offset) == static_cast<ssize_t>(sizeof v))
      out[std::string(name, strnlen(name, h.name_size))] = v;
  }
  return out;
}

}  // namespace hvsim
