#include "common/config_registry.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <bit>
#include <cctype>

#include "common/error.h"
#include "common/units.h"

namespace hvsim {
namespace {

std::string lower(const std::string& s) {
  std::string l;
  for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l;
}

[[noreturn]] void invalid(const ConfigKey& k, const std::string& text, const std::string& expected) {
  throw InputError(fmt::format("{}: '{}' is not valid; expected {}", k.key(), text, expected));
}

// "a, b or c".
std::string alternatives(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return s;
}

// A TOML value as the text a --set would give; arrays as comma-separated lists. Empty for a
// value that is neither (a table, a date).
std::string node_text(const toml::node& n) {
  if (auto v = n.as_string()) return v->get();
  if (auto v = n.as_integer()) return std::to_string(v->get());
  if (auto v = n.as_floating_point()) return fmt::format("{}", v->get());
  if (auto v = n.as_boolean()) return v->get() ? "true" : "false";
  if (auto a = n.as_array()) {
    std::string s;
    for (auto& item : *a) {
      std::string t = item.is_array() ? std::string() : node_text(item);
      if (t.empty()) return {};
      s += (s.empty() ? "" : ",") + t;
    }
    return s;
  }
  return {};
}

std::string prefixed(const std::string& where, const std::string& message) {
  return where.empty() ? message : where + ": " + message;
}

}  // namespace

uint64_t parse_integer_key(const std::string& text, const ConfigKey& k, uint64_t lo, uint64_t hi) {
  // Decimal only: "010" is ten (not octal eight), as in every other option.
  uint64_t n = 0;
  if (!parse_decimal_u64(text, n) || n < lo || n > hi)
    invalid(k, text, fmt::format("a decimal integer from {} to {}", lo, hi));
  return n;
}

uint64_t parse_size_key(const std::string& text, const ConfigKey& k, bool zero_ok) {
  if (zero_ok && text == "0") return 0;
  return parse_size(text, k.key());
}

double parse_number_key(const std::string& text, const ConfigKey& k, double lo, double hi, bool open) {
  double d = 0;
  size_t pos = 0;
  try {
    d = std::stod(text, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  const bool in = open ? d > lo && d < hi : d >= lo && d <= hi;
  if (pos == 0 || pos != text.size() || !in)
    invalid(k, text,
            fmt::format("a number{} {} {} {} {}", k.unit().empty() ? "" : " of " + k.unit(),
                        open ? "between" : "from", lo, open ? "and" : "to", hi));
  return d;
}

bool parse_flag_key(const std::string& text, const ConfigKey& k) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  invalid(k, text, "true or false");
}

size_t parse_choice_key(const std::string& text, const ConfigKey& k, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i)
    if (lower(text) == lower(names[i])) return i;
  invalid(k, text, alternatives(names));
}

std::string size_text(uint64_t bytes) { return bytes == 0 ? "0" : format_size(bytes); }

std::string integer_range(uint64_t lo, uint64_t hi) {
  auto text = [](uint64_t n) {
    return n >= (1u << 16) && (n & (n - 1)) == 0 ? fmt::format("2^{}", std::countr_zero(n))
                                                 : std::to_string(n);
  };
  return text(lo) + ".." + text(hi);
}

std::string value_text(const ConfigValue& v) {
  if (auto* u = std::get_if<uint64_t>(&v)) return std::to_string(*u);
  if (auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}

const ConfigKey* ConfigSection::find(const std::string& key_name) const {
  for (auto& k : keys)
    if (k->name() == key_name) return k.get();
  return nullptr;
}

std::string ConfigSection::key_names() const {
  std::string s;
  for (auto& k : keys) s += (s.empty() ? "" : ", ") + k->name();
  return s;
}

ConfigRegistry& ConfigRegistry::instance() {
  static ConfigRegistry r;
  return r;
}

ConfigSection& ConfigRegistry::claim(const std::string& name, int order) {
  for (auto& s : sections_) {
    if (s->name != name) continue;
    // Two declarations of one section are a programming error, found at start-up.
    if (!s->placeholder) throw std::logic_error("config section [" + name + "] declared twice");
    s->placeholder = false;
    return *s;
  }
  auto s = std::make_unique<ConfigSection>();
  s->name = name;
  s->owner = fmt::format("section [{}]", name);
  s->order = order;
  s->placeholder = false;
  s->index = sections_.size();
  sections_.push_back(std::move(s));
  return *sections_.back();
}

bool ConfigRegistry::reserve(const std::string& name, std::string owner, int order) {
  for (auto& s : sections_) {
    if (s->name != name) continue;
    s->owner = std::move(owner);
    s->order = order;
    return true;
  }
  auto s = std::make_unique<ConfigSection>();
  s->name = name;
  s->owner = std::move(owner);
  s->order = order;
  s->index = sections_.size();
  sections_.push_back(std::move(s));
  return true;
}

const ConfigSection* ConfigRegistry::find(const std::string& name) const {
  for (auto& s : sections_)
    if (s->name == name) return s.get();
  return nullptr;
}

std::vector<const ConfigSection*> ConfigRegistry::sections() const {
  std::vector<const ConfigSection*> out;
  for (auto& s : sections_) out.push_back(s.get());
  std::sort(out.begin(), out.end(),
            [](auto* a, auto* b) { return a->order != b->order ? a->order < b->order : a->name < b->name; });
  return out;
}

Config::Config() {
  const ConfigRegistry& r = ConfigRegistry::instance();
  slots_.resize(r.size());
  for (size_t i = 0; i < r.size(); ++i) slots_[i] = r.at(i).prototype;
}

void Config::set(const std::string& key, const std::string& text, const std::string& where) {
  const ConfigRegistry& r = ConfigRegistry::instance();
  const auto dot = key.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
    throw InputError(prefixed(
        where, fmt::format("unknown key '{}'; expected section.key (see `hvsim profile keys`)", key)));
  const std::string section = key.substr(0, dot), name = key.substr(dot + 1);
  const ConfigSection* s = r.find(section);
  if (!s) {
    std::string names;
    for (auto* each : r.sections()) names += (names.empty() ? "" : ", ") + each->name;
    throw InputError(prefixed(
        where,
        fmt::format("unknown key '{}'; there is no section [{}] (sections: {}; see `hvsim profile keys`)",
                    key, section, names)));
  }
  if (const ConfigKey* k = s->find(name)) {
    try {
      k->set(locate(*s), text);
    } catch (const InputError& e) {
      throw InputError(prefixed(where, e.what()));
    }
    return;
  }
  if (s->open_set) return s->open_set(locate(*s), name, text);
  throw InputError(prefixed(
      where, s->keys.empty() ? fmt::format("unknown key '{}'; {} has no keys", key, s->owner)
                             : fmt::format("unknown key '{}'; {} has: {}", key, s->owner, s->key_names())));
}

void Config::apply(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(fmt::format("--set '{}': expected key=value, e.g. paging.guest_levels=5", assignment));
  set(assignment.substr(0, eq), assignment.substr(eq + 1), "--set");
}

void Config::read_toml(const std::string& text, const std::string& origin) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}: {}", origin, e.source().begin.line, e.description()));
  }
  for (auto&& [sec, node] : tbl) {
    const std::string section(sec.str());
    auto* t = node.as_table();
    if (!t)
      throw InputError(
          fmt::format("{}:{}: '{}' should be a [section]", origin, node.source().begin.line, section));
    for (auto&& [k, v] : *t) {
      const std::string key = section + "." + std::string(k.str());
      const std::string value = node_text(v);
      const std::string where = fmt::format("{}:{}", origin, v.source().begin.line);
      if (value.empty() && !v.is_string())
        throw InputError(fmt::format("{}: '{}' should be a number, boolean, string or list", where, key));
      set(key, value, where);
    }
  }
}

void Config::validate() const {
  for (const ConfigSection* s : ConfigRegistry::instance().sections())
    if (s->check) s->check(locate(*s));
}

ConfigValue Config::value(const std::string& key) const {
  const auto dot = key.find('.');
  const ConfigSection* s = ConfigRegistry::instance().find(key.substr(0, dot));
  const ConfigKey* k = s && dot != std::string::npos ? s->find(key.substr(dot + 1)) : nullptr;
  if (!k) throw std::logic_error("no config key " + key);
  return k->value(locate(*s));
}

StructureSizes Config::structure_bytes() const {
  StructureSizes out;
  for (const ConfigSection* s : ConfigRegistry::instance().sections())
    if (s->structures) s->structures(locate(*s), out);
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second > b.second; });
  return out;
}

}  // namespace hvsim
