#include "common/profile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace hvsim {

TEST(Profile, BuiltInProfilesLoadWithTheirGeometry) {
  Profile d = load_profile("default");
  EXPECT_EQ(d.tlb.l1[0].entries, 64u);
  EXPECT_EQ(d.tlb.l2.entries, 1536u);
  EXPECT_EQ(d.tlb.l2.ways, 12u);
  EXPECT_EQ(d.pwc.entries[2], 32u);
  EXPECT_EQ(d.vm_exit_cycles, 1150u);
  Profile b = load_profile("bare");
  EXPECT_EQ(b.pwc.entries[2], 0u);
  EXPECT_EQ(b.nested_tlb_entries, 0u);
  EXPECT_FALSE(b.cache_data_accesses);
}

TEST(Profile, SetOverridesKeysByName) {
  Profile p = load_profile("default");
  apply_setting(p, "paging.guest_levels=5");
  apply_setting(p, "paging.host_levels=5");
  apply_setting(p, "guest.page_size=thp");
  apply_setting(p, "cache.l2_size=2MiB");
  EXPECT_EQ(p.guest_levels, 5);
  EXPECT_EQ(p.host_levels, 5);
  EXPECT_EQ(p.guest_page_size, GuestPagePolicy::kThp);
  EXPECT_EQ(p.cache.l2.size_bytes, 2u << 20);
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
