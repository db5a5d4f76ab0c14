#include "common/units.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hvsim {

TEST(Units, ParsesBinarySizes) {
  EXPECT_EQ(parse_size("4096", "x"), 4096u);
  EXPECT_EQ(parse_size("4K", "x"), 4096u);
  EXPECT_EQ(parse_size("64KiB", "x"), 65536u);
  EXPECT_EQ(parse_size("2MiB", "x"), 2u << 20);
  EXPECT_EQ(parse_size("1GiB", "x"), 1ull << 30);
  EXPECT_EQ(parse_size("64GiB", "x"), 64ull << 30);
  EXPECT_EQ(parse_size("1TiB", "x"), 1ull << 40);
  EXPECT_EQ(parse_size("1.5gb", "x"), 3ull << 29);
}

TEST(Units, RejectsMalformedSizesWithTheOptionName) {
  for (const char* bad : {"", "abc", "12XB", "-1GiB", "0", "0.0001"}) {
    try {
      parse_size(bad, "--footprint");
      FAIL() << "accepted '" << bad << "'";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--footprint"), std::string::npos) << e.what();
    }
  }
}

TEST(Units, ParsesCounts) {
  EXPECT_EQ(parse_count("1000000", "n"), 1000000u);
  EXPECT_EQ(parse_count("1e6", "n"), 1000000u);
  EXPECT_EQ(parse_count("2M", "n"), 2000000u);
  EXPECT_EQ(parse_count("200k", "n"), 200000u);
  EXPECT_THROW(parse_count("0", "n"), InputError);
  EXPECT_THROW(parse_count("-5", "n"), InputError);
  EXPECT_THROW(parse_count("1.5", "n"), InputError);
  EXPECT_THROW(parse_count("ten", "n"), InputError);
}

}  // namespace hvsim
