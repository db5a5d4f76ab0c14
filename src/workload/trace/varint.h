// LEB128 varints and zigzag mapping used by the .hvt record encoding.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hvsim::varint {

constexpr uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int64_t unzigzag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

// Appends the LEB128 form of v at p; returns the new end. Writes at most 10 bytes.
inline uint8_t* put(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v) | 0x80;
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

// Reads a LEB128 value from [p, end). Returns false on truncation or an over-long encoding.
inline bool get(const uint8_t*& p, const uint8_t* end, uint64_t& out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p == end) return false;
    uint8_t b = *p++;
    if (shift == 63 && b > 1) return false;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      out = v;
      return true;
    }
  }
  return false;
}

// Number of low bytes needed to hold v (0 for v == 0).
inline unsigned byte_length(uint64_t v) { return v == 0 ? 0 : (64 - __builtin_clzll(v) + 7) / 8; }

}  // namespace hvsim::varint
