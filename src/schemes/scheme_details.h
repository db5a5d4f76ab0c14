// The figures a scheme reports beside the common ones (SchemeStats::details), each declared once
// with its unit, meaning and kind, where the scheme that reports it lives. The kind says how a
// figure behaves over a part of a run (after a warm-up, in an epoch): counts are differences,
// levels are the value at its end, per-walk figures are recomputed from their count.
#pragma once
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hvsim {

enum class DetailKind : uint8_t { kCount, kLevel, kPerWalk };

struct DetailDef {
  std::string_view name;  // a trailing "_N" stands for any decimal number
  std::string_view unit;
  std::string_view doc;
  DetailKind kind = DetailKind::kCount;
  std::string_view count = {};  // kPerWalk: the count figure divided by SchemeStats::walks
};

class DetailRegistry {
 public:
  static DetailRegistry& instance();
  // Declares figures; a name declared twice must mean the same (checked by a test).
  bool add(std::initializer_list<DetailDef> defs);
  // The declaration of figure `name`, or null when none.
  const DetailDef* find(std::string_view name) const;
  // Every declaration, by name, with the declarations of the same name.
  const std::multimap<std::string, DetailDef, std::less<>>& all() const { return defs_; }

 private:
  std::multimap<std::string, DetailDef, std::less<>> defs_;
};

#define HVSIM_SCHEME_DETAILS(ident, ...) \
  static const bool hvsim_scheme_details_##ident = ::hvsim::DetailRegistry::instance().add({__VA_ARGS__})

}  // namespace hvsim
