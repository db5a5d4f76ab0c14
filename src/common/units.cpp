#include "common/units.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"
#include "common/page_size.h"

namespace hvsim {
namespace {

constexpr uint64_t kPiB = kTiB * 1024;

bool digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "12.5GiB" into 12.5 and "gib". The number is decimal: digits, an optional fraction and
// an optional exponent (no sign, no hex, no "inf"), so every option reads numbers the same way.
std::pair<long double, std::string> split_number(std::string_view text, std::string_view what,
                                                 std::string_view expected) {
  size_t pos = 0, digits = 0;
  while (pos < text.size() && digit(text[pos])) ++pos, ++digits;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && digit(text[pos])) ++pos, ++digits;
  }
  if (digits > 0 && pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    size_t e = pos + 1;
    if (e < text.size() && (text[e] == '+' || text[e] == '-')) ++e;
    if (e < text.size() && digit(text[e])) {
      pos = e;
      while (pos < text.size() && digit(text[pos])) ++pos;
    }
  }
  if (digits == 0)
    throw InputError(fmt::format("{}: '{}' is not a valid value; expected {}", what, text, expected));
  long double value = std::stold(std::string(text.substr(0, pos)));
  std::string suffix = lower(text.substr(pos));
  while (!suffix.empty() && suffix.front() == ' ') suffix.erase(suffix.begin());
  return {value, suffix};
}

}  // namespace

uint64_t parse_size(std::string_view text, std::string_view what) {
  constexpr std::string_view kExpected = "a positive size such as 4096, 64KiB, 2MiB, 1GiB, 1TiB or 1PiB";
  if (!text.empty() && text[0] == '-')
    throw InputError(fmt::format("{}: '{}' is negative; expected {}", what, text, kExpected));
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
  else if (suffix == "p" || suffix == "pb" || suffix == "pib")
    mult = kPiB;
  else
    throw InputError(fmt::format("{}: unknown size unit in '{}'; expected {}", what, text, kExpected));
  long double bytes = value * static_cast<long double>(mult);
  if (!(bytes >= 1) || bytes > static_cast<long double>(128 * kPiB))
    throw InputError(fmt::format("{}: '{}' is out of range; expected {} (at least 1B, at most 128PiB)", what,
                                 text, kExpected));
  if (bytes != std::floor(bytes))
    throw InputError(
        fmt::format("{}: '{}' is not a whole number of bytes; expected {}", what, text, kExpected));
  return static_cast<uint64_t>(bytes);
}

uint64_t parse_count(std::string_view text, std::string_view what, uint64_t min, uint64_t max) {
  const std::string expected = fmt::format("{} integer such as 1000000, 1e6 or 1M, from {} to {}",
                                           min == 0 ? "a non-negative" : "a positive", min, max);
  if (!text.empty() && text[0] == '-')
    throw InputError(fmt::format("{}: '{}' is negative; expected {}", what, text, expected));
  auto [value, suffix] = split_number(text, what, expected);
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
    throw InputError(fmt::format("{}: unknown suffix in '{}'; expected {}", what, text, expected));
  long double n = value * mult;
  if (n != std::floor(n))
    throw InputError(fmt::format("{}: '{}' is not a whole number; expected {}", what, text, expected));
  if (n < static_cast<long double>(min) || n > static_cast<long double>(max))
    throw InputError(fmt::format("{}: '{}' is out of range; expected {}", what, text, expected));
  return static_cast<uint64_t>(n);
}

bool parse_decimal_u64(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t n = 0;
  for (char c : text) {
    if (!digit(c)) return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    n = n * 10 + d;
  }
  out = n;
  return true;
}

uint64_t parse_u64(std::string_view text, std::string_view what) {
  uint64_t n = 0;
  if (parse_decimal_u64(text, n)) return n;
  const auto max = std::numeric_limits<uint64_t>::max();
  if (!text.empty() && text[0] == '-')
    throw InputError(fmt::format("{}: '{}' is negative; expected an integer from 0 to {}", what, text, max));
  bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  throw InputError(fmt::format("{}: '{}' is {}; expected an integer from 0 to {}", what, text,
                               digits ? "out of range" : "not a valid value", max));
}

std::string format_size(uint64_t bytes) {
  if (bytes >= kPiB && bytes % kPiB == 0) return fmt::format("{}PiB", bytes / kPiB);
  if (bytes >= kTiB && bytes % kTiB == 0) return fmt::format("{}TiB", bytes / kTiB);
  if (bytes >= kGiB && bytes % kGiB == 0) return fmt::format("{}GiB", bytes / kGiB);
  if (bytes >= kMiB && bytes % kMiB == 0) return fmt::format("{}MiB", bytes / kMiB);
  if (bytes >= kKiB && bytes % kKiB == 0) return fmt::format("{}KiB", bytes / kKiB);
  return fmt::format("{}B", bytes);
}

std::string format_size_approx(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) v /= 1024, ++u;
  if (u == 0) return fmt::format("{}B", bytes);
  // Three significant digits, without trailing zeros: 9.12GiB, 64MiB, 1.5TiB.
  std::string s = fmt::format("{:.{}f}", v, v >= 100 ? 0 : v >= 10 ? 1 : 2);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s + units[u];
}

}  // namespace hvsim
