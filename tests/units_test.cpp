#include "common/units.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/page_size.h"

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

namespace hvsim {

std::string units_error(uint64_t (*parse)(std::string_view, std::string_view), const char* text) {
  try {
    parse(text, "--opt");
  } catch (const InputError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(Units, CountsReadLeadingZerosAsDecimalAndZeroWhereAllowed) {
  EXPECT_EQ(parse_count("00", "--warmup", 0), 0u);
  EXPECT_EQ(parse_count("0", "--warmup", 0), 0u);
  EXPECT_EQ(parse_count("010", "n"), 10u);
  EXPECT_EQ(parse_count("0e3", "--warmup", 0), 0u);
  EXPECT_THROW(parse_count("00", "n"), InputError);  // the default minimum is 1
}

TEST(Units, CountsHaveADocumentedMaximum) {
  EXPECT_EQ(parse_count("1e12", "n"), kMaxCount);
  try {
    parse_count("1e15", "--accesses");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--accesses: '1e15' is out of range; expected a positive integer such as 1000000, 1e6 or 1M, "
              "from 1 to 1000000000000");
  }
  EXPECT_THROW(parse_count("1000000000001", "n"), InputError);
  EXPECT_THROW(parse_count("0x10", "n"), InputError);
  EXPECT_THROW(parse_count("inf", "n"), InputError);
}

TEST(Units, SeedsArePlainDecimalInRange) {
  EXPECT_EQ(parse_u64("0", "--seed"), 0u);
  EXPECT_EQ(parse_u64("18446744073709551615", "--seed"), ~uint64_t{0});
  EXPECT_EQ(units_error(parse_u64, "-1"),
            "--opt: '-1' is negative; expected an integer from 0 to 18446744073709551615");
  EXPECT_EQ(
      units_error(parse_u64, "18446744073709551616"),
      "--opt: '18446744073709551616' is out of range; expected an integer from 0 to 18446744073709551615");
  for (const char* bad : {"", "1e3", "+5", " 5", "0x10", "12abc"})
    EXPECT_NE(units_error(parse_u64, bad).find("is not a valid value"), std::string::npos) << bad;
}

TEST(Units, SizesUpToTheAdvertisedMaximumParse) {
  EXPECT_EQ(parse_size("128PiB", "x"), uint64_t{1} << 57);
  EXPECT_EQ(parse_size("1P", "x"), uint64_t{1} << 50);
  EXPECT_NE(units_error(parse_size, "129PiB").find("out of range"), std::string::npos);
  EXPECT_NE(units_error(parse_size, "129PiB").find("at most 128PiB"), std::string::npos);
  EXPECT_NE(units_error(parse_size, "1EiB").find("unknown size unit"), std::string::npos);
  // A size is a whole number of bytes: nothing is rounded silently.
  EXPECT_NE(units_error(parse_size, "1.1KiB").find("not a whole number of bytes"), std::string::npos);
  EXPECT_EQ(parse_size("1.5KiB", "x"), 1536u);
  EXPECT_NE(units_error(parse_size, "0x1000").find("unknown size unit"), std::string::npos);
}

TEST(Units, ApproximateSizesForMessages) {
  EXPECT_EQ(format_size_approx(512), "512B");
  EXPECT_EQ(format_size_approx(64 * kMiB), "64MiB");
  EXPECT_EQ(format_size_approx(9771050598ull), "9.1GiB");
  EXPECT_EQ(format_size_approx(1536 * kKiB), "1.5MiB");
  EXPECT_EQ(format_size(128 * (kTiB * 1024)), "128PiB");
}

}  // namespace hvsim
