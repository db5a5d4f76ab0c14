// A part added later declares its section where it lives, with no edit in common/ or cli/: this
// test-only part declares [testpart], and the one parser reads it from TOML and from --set.
#include <gtest/gtest.h>

#include <string>

#include "common/config_registry.h"
#include "common/error.h"
#include "common/profile.h"
#include "workload/generator.h"

namespace hvsim {
namespace {

struct TestPartConfig {
  uint32_t queues = 4;
  uint64_t ring_bytes = 64 * 1024;
};

HVSIM_CONFIG_SECTION(TestPartConfig, "testpart", 900, "a part that only the tests have") {
  s.integer("queues", &TestPartConfig::queues, 1, 64).unit("queues").doc("virtqueues per device");
  s.size("ring_bytes", &TestPartConfig::ring_bytes, false).doc("bytes of one ring");
}

template <class Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ConfigRegistry, ANewSectionIsReadFromTomlAndFromSet) {
  Profile p = parse_profile("[testpart]\nqueues = 8\nring_bytes = \"1MiB\"\n", "t.toml");
  EXPECT_EQ(p.section<TestPartConfig>().queues, 8u);
  EXPECT_EQ(p.section<TestPartConfig>().ring_bytes, uint64_t{1} << 20);
  apply_setting(p, "testpart.queues=16");
  EXPECT_EQ(p.section<TestPartConfig>().queues, 16u);
  EXPECT_EQ(p.section<TestPartConfig>().ring_bytes, uint64_t{1} << 20);
  // A profile that does not mention the section has the struct's defaults.
  const Profile d = load_profile("default");
  EXPECT_EQ(d.section<TestPartConfig>().queues, 4u);
  EXPECT_EQ(d.section<TestPartConfig>().ring_bytes, 64u * 1024);
}

TEST(ConfigRegistry, ANewSectionsBadValuesNameTheFileLineAndKey) {
  EXPECT_EQ(error_of([] { parse_profile("[testpart]\n\nqueues = 65\n", "t.toml"); }),
            "t.toml:3: testpart.queues: '65' is not valid; expected a decimal integer from 1 to 64");
  Profile p = load_profile("bare");
  EXPECT_EQ(error_of([&] { apply_setting(p, "testpart.queues=many"); }),
            "--set: testpart.queues: 'many' is not valid; expected a decimal integer from 1 to 64");
  EXPECT_EQ(error_of([&] { apply_setting(p, "testpart.ring_bytes=12XB"); }),
            "--set: testpart.ring_bytes: unknown size unit in '12XB'; expected a positive size such as 4096, "
            "64KiB, 2MiB, 1GiB, 1TiB or 1PiB");
  EXPECT_EQ(error_of([&] { apply_setting(p, "testpart.rings=2"); }),
            "--set: unknown key 'testpart.rings'; section [testpart] has: queues, ring_bytes");
  EXPECT_EQ(error_of([] { parse_profile("[testpart]\nrings = 2\n", "t.toml"); }),
            "t.toml:2: unknown key 'testpart.rings'; section [testpart] has: queues, ring_bytes");
  EXPECT_EQ(p.section<TestPartConfig>().queues, 4u);  // a rejected value changes nothing
}

TEST(ConfigRegistry, ANewSectionIsListedWithTypesRangesUnitsAndDefaults) {
  const ConfigSection* s = ConfigRegistry::instance().find("testpart");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->keys.size(), 2u);
  const ConfigKey& queues = *s->keys[0];
  EXPECT_EQ(queues.key(), "testpart.queues");
  EXPECT_EQ(queues.type(), "integer");
  EXPECT_EQ(queues.range(), "1..64");
  EXPECT_EQ(ConfigRegistry::instance().find("tlb")->find("l2_entries")->range(), "0..2^30");
  EXPECT_EQ(queues.unit(), "queues");
  EXPECT_EQ(queues.text(s->defaults.get()), "4");
  EXPECT_EQ(s->keys[1]->unit(), "bytes");
  EXPECT_EQ(s->keys[1]->text(s->defaults.get()), "64KiB");
}

TEST(ConfigRegistry, CopiesOfAProfileAreIndependent) {
  Profile p = load_profile("bare");
  Profile q = p;
  apply_setting(q, "testpart.queues=2");
  apply_setting(q, "paging.guest_levels=5");
  EXPECT_EQ(p.section<TestPartConfig>().queues, 4u);
  EXPECT_EQ(std::get<uint64_t>(p.value("paging.guest_levels")), 4u);
  EXPECT_EQ(std::get<uint64_t>(q.value("paging.guest_levels")), 5u);
}

// Every key of every section has a doc, and its default written as text reads back as the same
// value, so `hvsim profile keys` shows values a profile can hold.
TEST(ConfigRegistry, EveryDefaultReadsBackThroughTheParser) {
  size_t keys = 0;
  for (const ConfigSection* s : ConfigRegistry::instance().sections()) {
    for (auto& k : s->keys) {
      ++keys;
      EXPECT_FALSE(k->doc().empty()) << k->key();
      const std::string text = k->text(s->defaults.get());
      if (text.empty()) continue;  // an unset optional: its owner derives the default
      Profile p = load_profile("default");
      apply_setting(p, k->key() + "=" + text);
      EXPECT_EQ(p.value(k->key()), k->value(s->defaults.get())) << k->key() << "=" << text;
    }
  }
  EXPECT_GT(keys, 90u);
}

TEST(ConfigRegistry, SchemeSectionsNameTheirSchemeInErrors) {
  Profile p = load_profile("bare");
  EXPECT_EQ(error_of([&] { apply_setting(p, "agile.bogus=1"); }),
            "--set: unknown key 'agile.bogus'; the agile scheme has: quiet_period, page_cycles");
  EXPECT_EQ(error_of([&] { apply_setting(p, "nested.foo=1"); }),
            "--set: unknown key 'nested.foo'; the nested scheme has no keys");
  EXPECT_NE(
      error_of([&] {
        apply_setting(p, "nosection.key=1");
      }).find("unknown key 'nosection.key'; there is no section [nosection] (sections: profile, core, "),
      std::string::npos);
  apply_setting(p, "workload.procs=8");  // kept for the workload, which checks its own keys
  EXPECT_EQ(p.section<WorkloadSettings>().options.at("procs"), "8");
}

}  // namespace
}  // namespace hvsim
