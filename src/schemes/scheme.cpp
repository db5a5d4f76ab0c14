#include "schemes/scheme.h"

#include <fmt/format.h>

#include "common/error.h"

namespace hvsim {

uint64_t scheme_param_u64(const Profile& p, const std::string& key, uint64_t fallback, uint64_t lo,
                          uint64_t hi) {
  auto it = p.extras.find(key);
  if (it == p.extras.end()) return fallback;
  const std::string& v = it->second;
  size_t pos = 0;
  uint64_t n = 0;
  try {
    if (!v.empty() && v[0] != '-') n = std::stoull(v, &pos, 10);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != v.size() || n < lo || n > hi)
    throw InputError(fmt::format("{}: '{}' is not valid; expected an integer from {} to {}", key, v, lo, hi));
  return n;
}

double scheme_param_double(const Profile& p, const std::string& key, double fallback, double lo, double hi) {
  auto it = p.extras.find(key);
  if (it == p.extras.end()) return fallback;
  const std::string& v = it->second;
  size_t pos = 0;
  double d = 0;
  try {
    d = std::stod(v, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != v.size() || !(d >= lo && d <= hi))
    throw InputError(fmt::format("{}: '{}' is not valid; expected a number from {} to {}", key, v, lo, hi));
  return d;
}

void check_scheme_keys(const Profile& p, const std::string& section,
                       std::initializer_list<const char*> known) {
  p.checked_sections.insert(section);
  std::string prefix = section + ".";
  for (const auto& [key, _] : p.extras) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    std::string name = key.substr(prefix.size());
    bool ok = false;
    std::string list;
    for (const char* k : known) {
      ok = ok || name == k;
      list += (list.empty() ? "" : ", ") + std::string(k);
    }
    if (!ok)
      throw InputError(fmt::format("unknown key '{}'; the {} scheme has: {}", key, section,
                                   list.empty() ? "no keys" : list));
  }
}

std::string_view event_slot_name(size_t slot) {
  if (slot == kPageFaultSlot) return "page_fault";
  if (slot == kCowFaultSlot) return "cow_fault";
  return event_kind_name(static_cast<EventKind>(slot));
}

}  // namespace hvsim
