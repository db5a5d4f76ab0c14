// Parsing of sizes ("64GiB", "4K") and counts given by users.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace hvsim {

// Accepts a number with an optional binary suffix: K/KiB/KB, M/MiB/MB, G/GiB/GB, T/TiB/TB
// (all powers of 1024), or B. `what` names the option for the error message.
uint64_t parse_size(std::string_view text, std::string_view what);

// A positive integer count; accepts 1e6-style and k/M/G decimal suffixes (1M = 1,000,000).
uint64_t parse_count(std::string_view text, std::string_view what);

std::string format_size(uint64_t bytes);

}  // namespace hvsim
