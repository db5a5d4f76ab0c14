// Input bytes quoted in an error message, made safe to print: a garbage file must not put
// terminal escape sequences or binary noise on the user's screen, and the line stays short.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace hvsim {

// `s` with every byte outside printable ASCII written as \xNN (and '\' as \\), cut after
// `max_len` input bytes; "..." marks a cut.
inline std::string printable(std::string_view s, size_t max_len = 60) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t n = std::min(s.size(), max_len);
  std::string out;
  out.reserve(n + 3);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  if (s.size() > max_len) out += "...";
  return out;
}

}  // namespace hvsim
