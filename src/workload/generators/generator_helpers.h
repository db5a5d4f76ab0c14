// Small pieces several generators share: the page their layouts round to, and a percentage
// option.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"

namespace hvsim {

// Generators lay their arrays out on 4 KiB page boundaries, as malloc'd large arrays are.
inline constexpr uint64_t kLayoutPage = 4096;
inline uint64_t layout_page_up(uint64_t bytes) { return (bytes + kLayoutPage - 1) & ~(kLayoutPage - 1); }

// A percentage option's value, 0..100; `what` names the option in the error.
inline uint64_t parse_percent(const std::string& v, const char* what) {
  char* end = nullptr;
  unsigned long x = std::strtoul(v.c_str(), &end, 10);
  if (v.empty() || end == v.c_str() || *end || x > 100 || v[0] == '-')
    throw InputError(std::string(what) + ": a percentage, 0..100 (got '" + v + "')");
  return x;
}

}  // namespace hvsim
