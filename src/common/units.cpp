#include "common/units.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <string>

#include "common/error.h"
#include "common/page_size.h"

namespace hvsim {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "12.5GiB" into 12.5 and "gib"; throws if there is no leading number.
std::pair<long double, std::string> split_number(std::string_view text, std::string_view what,
                                                 std::string_view expected) {
  std::string s(text);
  size_t pos = 0;
  long double value = 0;
  try {
    if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.'))
      throw std::invalid_argument("no number");
    value = std::stold(s, &pos);
  } catch (const std::exception&) {
    throw InputError(fmt::format("{}: '{}' is not a valid value; expected {}", what, text, expected));
  }
  std::string suffix = lower(std::string_view(s).substr(pos));
  while (!suffix.empty() && suffix.front() == ' ') suffix.erase(suffix.begin());
  return {value, suffix};
}

}  // namespace

uint64_t parse_size(std::string_view text, std::string_view what) {
  constexpr std::string_view kExpected = "a positive size such as 4096, 64KiB, 2MiB, 1GiB or 1TiB";
  auto [value, suffix] = split_number(text, what, kExpected);
  uint64_t mult = 0;
  if (suffix.empty() || suffix == "b")
    mult = 1;
  else if (suffix == "k" || suffix == "kb" || suffix == "kib")
    mult = kKiB;
  else if (suffix == "m" || suffix == "mb" || suffix == "mib")
    mult = kMiB;
  else if (suffix == "g" || suffix == "gb" || suffix == "gib")
    mult = kGiB;
  else if (suffix == "t" || suffix == "tb" || suffix == "tib")
    mult = kTiB;
  else
    throw InputError(fmt::format("{}: unknown size unit in '{}'; expected {}", what, text, kExpected));
  long double bytes = value * static_cast<long double>(mult);
  if (!(bytes >= 1) || bytes > static_cast<long double>(uint64_t{1} << 57))
    throw InputError(
        fmt::format("{}: '{}' is out of range; expected {} (at most 128PiB)", what, text, kExpected));
  return static_cast<uint64_t>(std::llround(bytes));
}

uint64_t parse_count(std::string_view text, std::string_view what) {
  constexpr std::string_view kExpected = "a positive integer such as 1000000, 1e6 or 1M";
  if (!text.empty() && text[0] == '-')
    throw InputError(fmt::format("{}: '{}' is negative; expected {}", what, text, kExpected));
  auto [value, suffix] = split_number(text, what, kExpected);
  long double mult = 0;
  if (suffix.empty())
    mult = 1;
  else if (suffix == "k")
    mult = 1e3;
  else if (suffix == "m")
    mult = 1e6;
  else if (suffix == "g" || suffix == "b")
    mult = 1e9;
  else
    throw InputError(fmt::format("{}: unknown suffix in '{}'; expected {}", what, text, kExpected));
  long double n = value * mult;
  if (!(n >= 1) || n > 1e15 || n != std::floor(n))
    throw InputError(
        fmt::format("{}: '{}' is out of range; expected {} (at least 1)", what, text, kExpected));
  return static_cast<uint64_t>(n);
}

std::string format_size(uint64_t bytes) {
  if (bytes >= kTiB && bytes % kTiB == 0) return fmt::format("{}TiB", bytes / kTiB);
  if (bytes >= kGiB && bytes % kGiB == 0) return fmt::format("{}GiB", bytes / kGiB);
  if (bytes >= kMiB && bytes % kMiB == 0) return fmt::format("{}MiB", bytes / kMiB);
  if (bytes >= kKiB && bytes % kKiB == 0) return fmt::format("{}KiB", bytes / kKiB);
  return fmt::format("{}B", bytes);
}

}  // namespace hvsim
