#include "common/profile.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "mem/cache_config.h"
#include "os/guest_config.h"
#include "paging/paging_config.h"
#include "tlb/tlb_config.h"

namespace hvsim {

TEST(Profile, BuiltInProfilesLoadWithTheirGeometry) {
  Profile d = load_profile("default");
  EXPECT_EQ(d.section<TlbConfig>().l1[0].entries, 64u);
  EXPECT_EQ(d.section<TlbConfig>().l2.entries, 1536u);
  EXPECT_EQ(d.section<TlbConfig>().l2.ways, 12u);
  EXPECT_EQ(d.section<PwcConfig>().entries[2], 32u);
  EXPECT_EQ(d.costs[Cost::kVmExit], 1150u);
  Profile b = load_profile("bare");
  EXPECT_EQ(b.section<PwcConfig>().entries[2], 0u);
  EXPECT_EQ(b.section<NestedTlbConfig>().entries, 0u);
  EXPECT_FALSE(b.section<CacheHierarchyConfig>().data_accesses);
}

TEST(Profile, SetOverridesKeysByName) {
  Profile p = load_profile("default");
  apply_setting(p, "paging.guest_levels=5");
  apply_setting(p, "paging.host_levels=5");
  apply_setting(p, "guest.page_size=thp");
  apply_setting(p, "cache.l2_size=2MiB");
  EXPECT_EQ(p.section<PagingConfig>().guest_levels, 5);
  EXPECT_EQ(p.section<PagingConfig>().host_levels, 5);
  EXPECT_EQ(p.section<GuestConfig>().page_size, GuestPagePolicy::kThp);
  EXPECT_EQ(p.section<CacheHierarchyConfig>().l2.size_bytes, 2u << 20);
}

TEST(Profile, BadKeysAndValuesAreRejectedWithTheirName) {
  Profile p = load_profile("default");
  auto message = [&](const std::string& setting) {
    try {
      apply_setting(p, setting);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("paging.guest_levels=3").find("paging.guest_levels"), std::string::npos);
  EXPECT_NE(message("paging.bogus=1").find("unknown key 'paging.bogus'"), std::string::npos);
  EXPECT_NE(message("guest.page_size=3M").find("expected 4K, 2M, 1G or thp"), std::string::npos);
  EXPECT_NE(message("tlb.l2_entries=-4").find("tlb.l2_entries"), std::string::npos);
  EXPECT_NE(message("novalue").find("expected key=value"), std::string::npos);
}

TEST(Profile, FileErrorsNameFileAndLine) {
  namespace fs = std::filesystem;
  fs::path path = fs::temp_directory_path() / "hvsim_profile_test.toml";
  {
    std::ofstream f(path);
    f << "[paging]\nguest_levels = 4\n\n[tlb]\nl2_entries = \"many\"\n";
  }
  try {
    load_profile(path.string());
    FAIL();
  } catch (const InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find(path.string() + ":5"), std::string::npos) << m;
    EXPECT_NE(m.find("tlb.l2_entries"), std::string::npos) << m;
  }
  {
    std::ofstream f(path);
    f << "[paging\nguest_levels = 4\n";
  }
  EXPECT_THROW(load_profile(path.string()), InputError);
  fs::remove(path);
  try {
    load_profile("/nonexistent/profile.toml");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/profile.toml"), std::string::npos);
  }
}

}  // namespace hvsim

namespace hvsim {

namespace {
std::string validation_error(const std::vector<std::string>& settings) {
  Profile p = load_profile("default");
  try {
    for (const auto& s : settings) apply_setting(p, s);
    validate_profile(p);
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}
}  // namespace

TEST(Profile, IntegersAreDecimalEvenWithLeadingZeros) {
  Profile p = load_profile("default");
  apply_setting(p, "tlb.l2_ways=016");
  EXPECT_EQ(p.section<TlbConfig>().l2.ways, 16u);  // not octal 14
  EXPECT_NE(validation_error({"tlb.l2_ways=0x10"}).find("expected a decimal integer"), std::string::npos);
}

TEST(Profile, ShippedProfilesHaveExactGeometry) {
  for (const auto& name : builtin_profile_names())
    EXPECT_NO_THROW(validate_profile(load_profile(name))) << name;
  EXPECT_EQ(validation_error({"tlb.l2_entries=1024", "tlb.l2_ways=16", "pwc.pml4e_entries=2"}), "accepted");
}

TEST(Profile, GeometryTheModelWouldRoundIsRejectedNamingTheKey) {
  EXPECT_EQ(
      validation_error({"tlb.l2_entries=1000", "tlb.l2_ways=7"}),
      "tlb.l2_entries: 1000 entries are not whole sets of tlb.l2_ways = 7; expected a multiple of 7, e.g. "
      "994 or 1001");
  // An octal reading (8 ways) would divide 1536 and be accepted.
  EXPECT_NE(validation_error({"tlb.l2_ways=010"}).find("tlb.l2_ways = 10"), std::string::npos);
  EXPECT_NE(validation_error({"nested_tlb.entries=18"}).find("nested_tlb.entries: 18 entries"),
            std::string::npos);
  EXPECT_NE(validation_error({"pwc.pde_entries=30"})
                .find("pwc.pde_entries: 30 entries are not whole sets of "
                      "pwc.ways = 4"),
            std::string::npos);
  EXPECT_EQ(validation_error({"cache.line_bytes=48"}),
            "cache.line_bytes: '48' is not valid; expected a power of two from 8 to 4096 (lines are found by "
            "address bits)");
  EXPECT_EQ(validation_error({"cache.llc_size=100GiB"}),
            "cache.llc_size: 100GiB is 152520145.45 sets of 11 ways (cache.llc_ways) of 64 bytes; expected a "
            "power-of-two number of sets, e.g. 88GiB or 176GiB");
  EXPECT_NE(validation_error({"cache.l1_size=32100"}).find("not a whole number of 64-byte lines"),
            std::string::npos);
  EXPECT_NE(validation_error({"cache.l1_size=256"}).find("cache.l1_ways: 8 is not valid"), std::string::npos);
  EXPECT_NE(validation_error({"guest.memory=1000000"}).find("guest.memory"), std::string::npos);
}

TEST(Profile, ProfileFilesAreBounded) {
  namespace fs = std::filesystem;
  auto error_of = [](const std::string& path) {
    try {
      load_profile(path);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // A device that never ends is read only up to the limit.
  EXPECT_EQ(error_of("/dev/zero"),
            "/dev/zero: the profile is larger than 1MiB; expected a TOML profile file");
  fs::path big = fs::temp_directory_path() / ("hvsim_big_profile_" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream f(big);
    f << "[paging]\nguest_levels = 4\n" << std::string(kMaxProfileBytes, '#') << "\n";
  }
  EXPECT_NE(error_of(big.string()).find(big.string() + ": the profile is larger than 1MiB"),
            std::string::npos);
  fs::resize_file(big, kMaxProfileBytes);  // exactly the limit is fine
  EXPECT_EQ(error_of(big.string()), "accepted");
  fs::remove(big);
}

TEST(Profile, StructureSizesNameTheLargestKey) {
  Profile p = load_profile("default");
  apply_setting(p, "nested_tlb.entries=1048576");
  auto sizes = profile_structure_bytes(p);
  ASSERT_FALSE(sizes.empty());
  EXPECT_EQ(sizes.front().first, "nested_tlb.entries=1048576");
  EXPECT_EQ(sizes.front().second, 1048576u * 16 + 1048576u);  // 16-byte entries, a 4-byte head per 4-way set
}

}  // namespace hvsim
