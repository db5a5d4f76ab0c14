#include "schemes/scheme.h"

#include <fmt/format.h>

#include "common/error.h"

namespace hvsim {

uint64_t scheme_param_u64(const Profile& p, const std::string& key, uint64_t fallback, uint64_t lo, uint64_t hi) {
  auto it = p.extras.find(key);
  if (it == p.extras.end()) return fallback;
  const std::string& v = it->second;
  size_t pos = 0;
  uint64_t n = 0;
  try {
    if (!v.empty() && v[0] != '-') n = std::stoull(v, &pos, 0);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != v.size() || n < lo || n > hi)
    throw InputError(fmt::format("{}: '{}' is not valid; expected an integer from {} to {}", key, v, lo, hi));
  return n;
}

}  // namespace hvsim
