// src/kvm/ on the real /dev/kvm: counts only, never times. Skipped where KVM is absent or refuses
// (HVSIM_NO_KVM=1 hides it, to see the skip).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "kvm/guest_code.h"
#include "kvm/kvm_measure.h"
#include "kvm/kvm_vm.h"
#include "test_support.h"

namespace hvsim {
namespace {

#define SKIP_WITHOUT_KVM()                                                       \
  do {                                                                           \
    if (auto why = kvm_unavailable()) GTEST_SKIP() << "no usable KVM: " << *why; \
  } while (0)

TEST(KvmGuest, EveryUserSpacePortWriteIsOneExit) {
  SKIP_WITHOUT_KVM();
  KvmVm vm;
  vm.load(guest_port_writes(kUserPort, 300));
  const auto before = vm.stats();
  EXPECT_EQ(vm.run(), 300u);
  const auto after = vm.stats();
  if (after.count("exits")) {
    EXPECT_GE(after.at("exits") - before.at("exits"), 301u);  // 300 writes and the done port
  }
}

TEST(KvmGuest, IoeventfdWritesStayInTheKernel) {
  SKIP_WITHOUT_KVM();
  KvmVm vm;
  const int fd = vm.add_ioeventfd(kEventPort, true);
  vm.load(guest_port_writes(kEventPort, 300));
  EXPECT_EQ(vm.run(), 0u);  // no write reached user space
  uint64_t signalled = 0;
  ASSERT_EQ(::read(fd, &signalled, sizeof signalled), static_cast<ssize_t>(sizeof signalled));
  EXPECT_EQ(signalled, 300u);  // each write signalled the eventfd once
}

TEST(KvmGuest, MmioWritesExitUnlessBoundToAnEventfd) {
  SKIP_WITHOUT_KVM();
  KvmVm user;
  user.load(guest_mmio_writes(200));
  EXPECT_EQ(user.run(), 200u);
  KvmVm kernel;
  kernel.add_ioeventfd(KvmVm::kMmioBase, false);
  kernel.load(guest_mmio_writes(200));
  EXPECT_EQ(kernel.run(), 0u);
}

TEST(KvmMeasure, ExitlessRingHasNoUserExitsAndKickRingNoneEither) {
  SKIP_WITHOUT_KVM();
  const KvmReport r = measure_kvm(50, 1);
  ASSERT_EQ(r.rows.size(), 7u);
  for (const auto& m : r.rows) {
    const bool user = m.name.find("user space") != std::string::npos;
    EXPECT_DOUBLE_EQ(m.user_exits_per_request, user ? 1.0 : 0.0) << m.name;
  }
}

TEST(KvmMeasure, CpuidExitsNeverReachUserSpace) {
  SKIP_WITHOUT_KVM();
  const KvmReport r = measure_kvm(50, 1, KvmCases::kExitsOnly);
  EXPECT_EQ(r.rows.size(), 5u);  // the loop and the four exits, no rings
  const KvmMeasurement m = measure_cpuid_exit(100, 2, r.mode);
  EXPECT_EQ(m.requests, 100u);
  EXPECT_DOUBLE_EQ(m.user_exits_per_request, 0.0);  // KVM answers CPUID in the kernel
}

TEST(KvmCli, MeasureSkipsWithStatus77WhenKvmIsHidden) {
  ::setenv("HVSIM_NO_KVM", "1", 1);
  auto r = test::run_hvsim("io measure --requests 10 --repeats 1");
  ::unsetenv("HVSIM_NO_KVM");
  EXPECT_EQ(r.status, 77) << r.err;
  EXPECT_NE(r.err.find("skipped: KVM is not usable here"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(KvmCli, MeasurePrintsAnIoSection) {
  SKIP_WITHOUT_KVM();
  auto r = test::run_hvsim("io measure --requests 20 --repeats 1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("[io]\nkick_exit_cycles = "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("model vs machine"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hvsim
