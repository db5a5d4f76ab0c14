// Parsing of sizes ("64GiB", "4K") and counts given by users.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace hvsim {

// The largest count any option accepts (--accesses, --warmup, workload counts): a trillion
// accesses is days of simulation per scheme, so anything larger is a typo, and sums of counts
// (accesses + warm-up) stay far from overflowing.
inline constexpr uint64_t kMaxCount = 1'000'000'000'000;

// Accepts a number with an optional binary suffix: K/KiB/KB, M/MiB/MB, G/GiB/GB, T/TiB/TB,
// P/PiB/PB (all powers of 1024), or B; the result must be a whole number of bytes from 1 to
// 128PiB. `what` names the option for the error message.
uint64_t parse_size(std::string_view text, std::string_view what);

// A whole count from `min` to `max`; accepts 1e6-style and k/M/G decimal suffixes (1M =
// 1,000,000). Leading zeros are decimal ("010" is ten, "00" is zero).
uint64_t parse_count(std::string_view text, std::string_view what, uint64_t min = 1,
                     uint64_t max = kMaxCount);

// Plain decimal digits, 0 to 2^64-1 (seeds, identifiers); no sign, suffix or exponent.
uint64_t parse_u64(std::string_view text, std::string_view what);
// The same without an error: false unless `text` is plain decimal digits that fit.
bool parse_decimal_u64(std::string_view text, uint64_t& out);

// Exact: "64GiB", "1408KiB", "12345B".
std::string format_size(uint64_t bytes);
// Rounded to three significant digits, for messages: "9.12GiB", "640KiB", "512B".
std::string format_size_approx(uint64_t bytes);

}  // namespace hvsim
