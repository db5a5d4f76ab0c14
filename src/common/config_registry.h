// The configuration registry. Each component declares its own [section] where it lives: keys with
// a name, type, range, unit and one-line doc, bound to members of its own config struct, whose
// initializers are the defaults. One parser (config_registry.cpp) reads TOML text and
// `section.key=value` assignments for every key of every section, so a new part adds a section
// without editing common/ or cli/. A Config holds one struct per section; a component takes its
// own with `config.section<TlbConfig>()`.
//
//   struct NestedTlbConfig { uint32_t entries = 0; uint32_t ways = 4; };   // tlb/tlb_config.h
//   HVSIM_CONFIG_SECTION(NestedTlbConfig, "nested_tlb", 40, "the nested TLB") {  // tlb_config.cpp
//     s.integer("entries", &NestedTlbConfig::entries, 0, 1u << 30).unit("entries").doc("…");
//   }
//   …  profile.section<NestedTlbConfig>().entries
#pragma once
#include <any>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace hvsim {

class Config;

// A key's value, typed, for `hvsim profile keys --json` and reports; monostate: unset.
using ConfigValue = std::variant<std::monostate, uint64_t, double, bool, std::string>;

// What a structure sized by the configuration takes in memory: {"tlb.l2_entries=1536", bytes}.
using StructureSizes = std::vector<std::pair<std::string, uint64_t>>;

// One key of a section, owned by its section.
class ConfigKey {
 public:
  virtual ~ConfigKey() = default;
  // Parses `text` into the key's member of `section` (the section's struct); throws InputError
  // naming the key and what it expects.
  virtual void set(void* section, const std::string& text) const = 0;
  virtual ConfigValue value(const void* section) const = 0;
  // The value as text the parser reads back: "32KiB", "4K", "0.2".
  virtual std::string text(const void* section) const = 0;

  ConfigKey& unit(std::string u) {
    unit_ = std::move(u);
    return *this;
  }
  ConfigKey& doc(std::string d) {
    doc_ = std::move(d);
    return *this;
  }
  const std::string& name() const { return name_; }    // "l2_entries"
  const std::string& key() const { return key_; }      // "tlb.l2_entries"
  const std::string& type() const { return type_; }    // integer, size, number, bool, choice, text...
  const std::string& range() const { return range_; }  // "0..1073741824", "4K|2M|1G|thp"
  const std::string& unit() const { return unit_; }
  const std::string& doc() const { return doc_; }

 protected:
  ConfigKey(std::string name, std::string key, std::string type, std::string range)
      : name_(std::move(name)), key_(std::move(key)), type_(std::move(type)), range_(std::move(range)) {}

 private:
  std::string name_, key_, type_, range_, unit_, doc_;
};

// A section as the parser and the listings see it: type-erased.
struct ConfigSection {
  std::string name, doc;
  std::string owner;        // for messages: "section [tlb]", "the agile scheme"
  int order = 500;          // listing and validation order
  bool placeholder = true;  // reserved by its owner, no struct: a part without keys
  size_t index = 0;         // its slot in a Config
  std::vector<std::unique_ptr<ConfigKey>> keys;
  std::shared_ptr<const void> defaults;  // the struct with its defaults, for listings
  std::any prototype;                    // the same, copied into each Config's slot (not external)
  std::function<void*(Config&)> locate;  // the struct inside a Config
  // Keys it does not declare kept as text, for a part that checks its own (the workloads).
  std::function<void(void*, const std::string&, const std::string&)> open_set;
  std::string open_doc;
  std::function<void(const void*)> check;  // relations between keys, once every setting is in
  std::function<void(const void*, StructureSizes&)> structures;

  const ConfigKey* find(const std::string& key_name) const;
  std::string key_names() const;  // "guest_levels, host_levels"
};

// Parsers shared by the key kinds; each throws InputError "KEY: 'TEXT' is not valid; expected …".
uint64_t parse_integer_key(const std::string& text, const ConfigKey& k, uint64_t lo, uint64_t hi);
uint64_t parse_size_key(const std::string& text, const ConfigKey& k, bool zero_ok);
double parse_number_key(const std::string& text, const ConfigKey& k, double lo, double hi, bool open);
bool parse_flag_key(const std::string& text, const ConfigKey& k);
size_t parse_choice_key(const std::string& text, const ConfigKey& k, const std::vector<std::string>& names);
std::string size_text(uint64_t bytes);                // "32KiB"; "0" for 0
std::string integer_range(uint64_t lo, uint64_t hi);  // "0..2^30", "4..5"
std::string value_text(const ConfigValue& v);

// A key bound to a member (reached through `access`) of section struct T.
template <class T, class V>
class FieldKey final : public ConfigKey {
 public:
  using Access = std::function<V&(T&)>;
  using Parse = std::function<V(const std::string&, const ConfigKey&)>;
  using Show = std::function<ConfigValue(const V&)>;
  using Text = std::function<std::string(const V&)>;
  FieldKey(std::string name, std::string key, std::string type, std::string range, Access a, Parse p, Show s,
           Text t)
      : ConfigKey(std::move(name), std::move(key), std::move(type), std::move(range)),
        access_(std::move(a)),
        parse_(std::move(p)),
        show_(std::move(s)),
        text_(std::move(t)) {}
  void set(void* section, const std::string& text) const override {
    access_(*static_cast<T*>(section)) = parse_(text, *this);
  }
  ConfigValue value(const void* section) const override { return show_(field(section)); }
  std::string text(const void* section) const override {
    return text_ ? text_(field(section)) : value_text(show_(field(section)));
  }

 private:
  const V& field(const void* section) const {
    return access_(*const_cast<T*>(static_cast<const T*>(section)));
  }
  Access access_;
  Parse parse_;
  Show show_;
  Text text_;
};

// Declares the keys of section struct T (the body of HVSIM_CONFIG_SECTION). `field` is a member
// pointer (&T::ways) or a function returning a reference into T ([](T& c) -> auto& { … }).
template <class T>
class SectionDecl {
 public:
  explicit SectionDecl(ConfigSection& s) : s_(s) {}

  // A decimal integer from lo to hi; the member may be std::optional (unset: a default
  // the owner derives, named in the doc).
  template <class F>
  ConfigKey& integer(const std::string& name, F field, uint64_t lo, uint64_t hi) {
    using V = Field<F>;
    using N = decltype(unwrap(std::declval<V>()));
    if (hi > static_cast<uint64_t>(std::numeric_limits<N>::max()))
      throw std::logic_error("config key " + s_.name + "." + name + ": range exceeds its member's type");
    auto parse = [lo, hi](const std::string& t, const ConfigKey& k) {
      return V(static_cast<N>(parse_integer_key(t, k, lo, hi)));
    };
    auto show = [](const V& v) { return integer_value(v); };
    return add<V>(name, field, "integer", integer_range(lo, hi), parse, show);
  }
  // Bytes, with units ("32KiB"); with `zero_ok`, 0 too (a level absent, sized automatically).
  template <class F>
  ConfigKey& size(const std::string& name, F field, bool zero_ok) {
    auto parse = [zero_ok](const std::string& t, const ConfigKey& k) {
      return parse_size_key(t, k, zero_ok);
    };
    return add<uint64_t>(
               name, field, "size", zero_ok ? "0 or a size" : "a size", parse,
               [](const uint64_t& v) { return ConfigValue(v); },
               [](const uint64_t& v) { return size_text(v); })
        .unit("bytes");
  }
  // A number from lo to hi (`open`: strictly between).
  template <class F>
  ConfigKey& number(const std::string& name, F field, double lo, double hi, bool open = false) {
    auto parse = [lo, hi, open](const std::string& t, const ConfigKey& k) {
      return parse_number_key(t, k, lo, hi, open);
    };
    return add<double>(name, field, "number", value_text(lo) + (open ? "<x<" : "..") + value_text(hi), parse,
                       [](const double& v) { return ConfigValue(v); });
  }
  template <class F>
  ConfigKey& flag(const std::string& name, F field) {
    return add<bool>(name, field, "bool", "true|false", &parse_flag_key,
                     [](const bool& v) { return ConfigValue(v); });
  }
  // One of named values; the names are case-insensitive.
  template <class F, class V>
  ConfigKey& choice(const std::string& name, F field, std::vector<std::pair<std::string, V>> options) {
    std::vector<std::string> names;
    std::string range;
    for (auto& [n, _] : options) {
      names.push_back(n);
      range += (range.empty() ? "" : "|") + n;
    }
    auto parse = [options, names](const std::string& t, const ConfigKey& k) {
      return options[parse_choice_key(t, k, names)].second;
    };
    auto show = [options](const V& v) {
      for (auto& [n, o] : options)
        if (o == v) return ConfigValue(n);
      return ConfigValue();
    };
    return add<V>(name, field, "choice", range, parse, show);
  }
  template <class F>
  ConfigKey& text(const std::string& name, F field) {
    return add<std::string>(
        name, field, "text", "any", [](const std::string& t, const ConfigKey&) { return t; },
        [](const std::string& v) { return ConfigValue(v); });
  }
  // A key with its own parser: `parse(text, key)` returns the member's value or throws.
  template <class V, class F, class P, class S>
  ConfigKey& custom(const std::string& name, F field, std::string type, std::string range, P parse, S show,
                    typename FieldKey<T, V>::Text text = {}) {
    return add<V>(name, field, std::move(type), std::move(range), parse, show, std::move(text));
  }
  // Keys not declared are kept as text in `field` (a std::map<std::string, std::string>).
  template <class F>
  void open(F field, std::string doc) {
    s_.open_doc = std::move(doc);
    s_.open_set = [field](void* obj, const std::string& key, const std::string& text) {
      std::invoke(field, *static_cast<T*>(obj))[key] = text;
    };
  }
  void check(std::function<void(const T&)> fn) {
    s_.check = [fn](const void* obj) { fn(*static_cast<const T*>(obj)); };
  }
  void structures(std::function<void(const T&, StructureSizes&)> fn) {
    s_.structures = [fn](const void* obj, StructureSizes& out) { fn(*static_cast<const T*>(obj), out); };
  }

 private:
  template <class F>
  using Field = std::remove_cvref_t<std::invoke_result_t<F, T&>>;
  template <class N>
  static N unwrap(N);
  template <class N>
  static N unwrap(std::optional<N>);
  template <class N>
  static ConfigValue integer_value(const N& v) {
    return ConfigValue(static_cast<uint64_t>(v));
  }
  template <class N>
  static ConfigValue integer_value(const std::optional<N>& v) {
    return v ? ConfigValue(static_cast<uint64_t>(*v)) : ConfigValue();
  }
  template <class V, class F, class P, class S>
  ConfigKey& add(const std::string& name, F field, std::string type, std::string range, P parse, S show,
                 typename FieldKey<T, V>::Text text = {}) {
    typename FieldKey<T, V>::Access access = [field](T& obj) -> V& { return std::invoke(field, obj); };
    s_.keys.push_back(std::make_unique<FieldKey<T, V>>(
        name, s_.name + "." + name, std::move(type), std::move(range), access, parse, show, std::move(text)));
    return *s_.keys.back();
  }
  ConfigSection& s_;
};

// The registered section of struct T, once its declaration has run.
template <class T>
struct ConfigSectionOf {
  static inline const ConfigSection* section = nullptr;
};

class ConfigRegistry {
 public:
  static ConfigRegistry& instance();

  // Declares section `name` held as struct T; with `external`, the struct lives outside the
  // Config's own slots (a member of the Profile, for the floor's own sections).
  template <class T>
  bool declare(const std::string& name, int order, std::string doc, void (*keys)(SectionDecl<T>&),
               void* (*external)(Config&) = nullptr) {
    if (ConfigSectionOf<T>::section) throw std::logic_error("config struct of [" + name + "] declared twice");
    ConfigSection& s = claim(name, order);
    s.doc = std::move(doc);
    s.defaults = std::make_shared<const T>();
    if (external) {
      s.locate = external;
    } else {
      s.prototype = T{};
      const size_t index = s.index;
      s.locate = [index](Config& c) -> void* { return slot_of<T>(c, index); };
    }
    SectionDecl<T> decl(s);
    keys(decl);
    ConfigSectionOf<T>::section = &s;
    return true;
  }
  // A part that owns section `name`, whether or not it declares keys there: its errors say
  // "unknown key 'nested.foo'; the nested scheme has no keys".
  bool reserve(const std::string& name, std::string owner, int order);

  const ConfigSection* find(const std::string& name) const;
  std::vector<const ConfigSection*> sections() const;  // by order, then name
  size_t size() const { return sections_.size(); }
  const ConfigSection& at(size_t index) const { return *sections_[index]; }

 private:
  ConfigSection& claim(const std::string& name, int order);
  template <class T>
  static T* slot_of(Config& c, size_t index);
  std::vector<std::unique_ptr<ConfigSection>> sections_;
};

// Declares a section; the body that follows declares its keys on `s` (a SectionDecl<Type>&).
#define HVSIM_CONFIG_SECTION(Type, name, order, doc)                                                  \
  static void hvsim_config_keys_##Type(::hvsim::SectionDecl<Type>& s);                                \
  [[maybe_unused]] static const bool hvsim_config_section_##Type =                                    \
      ::hvsim::ConfigRegistry::instance().declare<Type>(name, order, doc, &hvsim_config_keys_##Type); \
  static void hvsim_config_keys_##Type([[maybe_unused]] ::hvsim::SectionDecl<Type>& s)

// One struct per registered section, at its defaults until set. The one parser of every key.
class Config {
 public:
  template <class T>
  const T& section() const {
    return *static_cast<const T*>(locate(section_of<T>()));
  }
  template <class T>
  T& section() {
    return *static_cast<T*>(locate(section_of<T>()));
  }

  // Sets `section.key` from text; `where` ("FILE:LINE", "--set") prefixes any error.
  void set(const std::string& key, const std::string& text, const std::string& where);
  // A `section.key=value` assignment (--set).
  void apply(const std::string& assignment);
  // Every key of a TOML document; errors name `origin`, the line and the key.
  void read_toml(const std::string& text, const std::string& origin);
  // Each section's relations between keys, in section order.
  void validate() const;
  // A key's current value by name ("paging.guest_levels"), for parts that cannot see its struct.
  ConfigValue value(const std::string& key) const;
  // The structures the configuration sizes, largest first.
  StructureSizes structure_bytes() const;

 protected:
  Config();

 private:
  friend class ConfigRegistry;
  template <class T>
  static const ConfigSection& section_of() {
    if (!ConfigSectionOf<T>::section) throw std::logic_error("config section used before it is declared");
    return *ConfigSectionOf<T>::section;
  }
  const void* locate(const ConfigSection& s) const { return s.locate(const_cast<Config&>(*this)); }
  void* locate(const ConfigSection& s) { return s.locate(*this); }
  std::vector<std::any> slots_;  // by section index
};

template <class T>
T* ConfigRegistry::slot_of(Config& c, size_t index) {
  T* p = index < c.slots_.size() ? std::any_cast<T>(&c.slots_[index]) : nullptr;
  if (!p) throw std::logic_error("config section declared after its Config was made");
  return p;
}

}  // namespace hvsim
