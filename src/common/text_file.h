// Reading a whole input file with a size bound: a device such as /dev/zero never ends, and a
// file far larger than its kind ever is would be a mistake.
#pragma once
#include <cstdint>
#include <string>

namespace hvsim {

// The contents of `path`; throws InputError naming `path` and `what` ("result file") when it is
// missing, unreadable, a directory or larger than `max_bytes`.
std::string read_bounded_file(const std::string& path, uint64_t max_bytes, const std::string& what);

}  // namespace hvsim
