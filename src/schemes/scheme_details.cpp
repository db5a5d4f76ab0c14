#include "schemes/scheme_details.h"

#include <cctype>

namespace hvsim {

DetailRegistry& DetailRegistry::instance() {
  static DetailRegistry r;
  return r;
}

bool DetailRegistry::add(std::initializer_list<DetailDef> defs) {
  for (const DetailDef& d : defs) defs_.emplace(std::string(d.name), d);
  return true;
}

const DetailDef* DetailRegistry::find(std::string_view name) const {
  if (auto it = defs_.find(name); it != defs_.end()) return &it->second;
  // "walks_switching_at_level_3" is declared as "walks_switching_at_level_N".
  size_t digits = name.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1]))) --digits;
  if (digits == name.size() || digits == 0 || name[digits - 1] != '_') return nullptr;
  const std::string pattern = std::string(name.substr(0, digits)) + "N";
  auto it = defs_.find(pattern);
  return it == defs_.end() ? nullptr : &it->second;
}

}  // namespace hvsim
