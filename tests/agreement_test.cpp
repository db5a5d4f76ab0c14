// The strongest check the simulator has: for every access, every registered scheme yields the
// same host-physical address as the reference (guest table, then EPT). run_experiment with
// verify=true throws on the first disagreement.
#include <gtest/gtest.h>

#include "common/error.h"
#include "test_support.h"

namespace hvsim {

struct AgreementCase {
  const char* page_size;
  int guest_levels, host_levels;
  const char* host_page_size;
  const char* profile;
};

class Agreement : public ::testing::TestWithParam<AgreementCase> {};

TEST_P(Agreement, AllSchemesYieldTheReferenceAddressOnEveryAccess) {
  const AgreementCase& c = GetParam();
  Profile p = load_profile(c.profile);
  apply_setting(p, std::string("guest.page_size=") + c.page_size);
  apply_setting(p, "paging.guest_levels=" + std::to_string(c.guest_levels));
  apply_setting(p, "paging.host_levels=" + std::to_string(c.host_levels));
  apply_setting(p, std::string("host.page_size=") + c.host_page_size);
  for (const char* workload : {"gups", "chase", "zipf", "stream"}) {
    RunReport r;
    ASSERT_NO_THROW(r = test::run_workload(workload, p, "all", 3ull << 30, 20'000, true, 7)) << workload;
    EXPECT_EQ(r.verified_accesses, 20'000u) << workload;
    EXPECT_GE(r.schemes.size(), 3u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    PageSizesAndLevels, Agreement,
    ::testing::Values(AgreementCase{"4K", 4, 4, "4K", "default"}, AgreementCase{"2M", 4, 4, "4K", "default"},
                      AgreementCase{"1G", 4, 4, "4K", "bare"}, AgreementCase{"thp", 5, 5, "4K", "default"},
                      AgreementCase{"4K", 5, 4, "2M", "default"}, AgreementCase{"2M", 4, 5, "1G", "bare"},
                      AgreementCase{"4K", 4, 4, "2M", "bare"}),
    [](const auto& info) {
      const AgreementCase& c = info.param;
      return std::string("g") + c.page_size + "_L" + std::to_string(c.guest_levels) + "_h" +
             c.host_page_size + "_L" + std::to_string(c.host_levels) + "_" + c.profile;
    });

TEST(Agreement, VerifyCatchesADisagreeingScheme) {
  // A scheme that answers wrongly on purpose must be caught by --verify.
  class Liar final : public Scheme {
   public:
    void run(std::span<const Event> events, const BatchEffects&, HostPhysAddr* out) override {
      for (size_t i = 0; i < events.size(); ++i)
        if (out && is_access(events[i].kind)) out[i] = HostPhysAddr(0xdead000);
    }
  };
  SchemeRegistry::instance().add(
      "test-liar", "answers wrongly", [](SchemeContext&) { return std::make_unique<Liar>(); }, 999);
  Profile p = load_profile("bare");
  std::string message;
  try {
    test::run_workload("gups", p, "native,test-liar", 1ull << 26, 1000, true);
  } catch (const SimulationError& e) {
    message = e.what();
  }
  SchemeRegistry::instance().remove("test-liar");
  EXPECT_NE(message.find("scheme 'test-liar' translated access"), std::string::npos) << message;
}

}  // namespace hvsim
