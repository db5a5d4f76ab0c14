#include "cli/profile_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/config_registry.h"
#include "common/profile.h"

namespace hvsim {
namespace {

nlohmann::json json_of(const ConfigValue& v) {
  if (auto* u = std::get_if<uint64_t>(&v)) return *u;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* b = std::get_if<bool>(&v)) return *b;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

std::string keys_json() {
  nlohmann::json sections = nlohmann::json::array();
  for (const ConfigSection* s : ConfigRegistry::instance().sections()) {
    nlohmann::json keys = nlohmann::json::array();
    for (auto& k : s->keys)
      keys.push_back({{"key", k->key()},
                      {"type", k->type()},
                      {"range", k->range()},
                      {"unit", k->unit()},
                      {"default", json_of(k->value(s->defaults.get()))},
                      {"doc", k->doc()}});
    nlohmann::json j = {{"name", s->name}, {"doc", s->doc}, {"owner", s->owner}, {"keys", keys}};
    if (s->open_set) j["other_keys"] = s->open_doc;
    sections.push_back(j);
  }
  return nlohmann::json{{"sections", sections}}.dump(2) + "\n";
}

struct Row {
  std::string key, type, range, unit, def, doc;
};

std::string keys_text() {
  std::vector<std::pair<const ConfigSection*, std::vector<Row>>> groups;
  std::string keyless;
  for (const ConfigSection* s : ConfigRegistry::instance().sections()) {
    std::vector<Row> rows;
    for (auto& k : s->keys) {
      std::string def = k->text(s->defaults.get());
      rows.push_back({k->key(), k->type(), k->range(), k->unit().empty() ? "-" : k->unit(),
                      def.empty() ? "-" : def, k->doc()});
    }
    if (s->open_set) rows.push_back({s->name + ".*", "text", "any", "-", "-", s->open_doc});
    if (rows.empty())
      keyless += (keyless.empty() ? "" : ", ") + s->name;
    else
      groups.emplace_back(s, std::move(rows));
  }
  Row w{"key", "type", "range", "unit", "default", "meaning"};
  std::vector<size_t> width = {3, 4, 5, 4, 7};
  for (auto& [_, rows] : groups)
    for (const Row& r : rows) {
      const std::string* field[] = {&r.key, &r.type, &r.range, &r.unit, &r.def};
      for (size_t i = 0; i < width.size(); ++i) width[i] = std::max(width[i], field[i]->size());
    }
  auto line = [&width](const Row& r) {
    return fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", r.key, width[0], r.type, width[1],
                       r.range, width[2], r.unit, width[3], r.def, width[4], r.doc);
  };
  std::string out = "Every profile key by section; default: the value when a profile omits the key.\n";
  out += line(w);
  for (auto& [s, rows] : groups) {
    out += fmt::format("\n[{}] {}\n", s->name, s->doc);
    for (const Row& r : rows) out += line(r);
  }
  if (!keyless.empty()) out += fmt::format("\nSchemes without keys: {}\n", keyless);
  return out;
}

}  // namespace

void register_profile_command(CLI::App& app) {
  auto* prof = app.add_subcommand("profile", "Show machine profiles and their keys");
  prof->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto* keys =
      prof->add_subcommand("keys", "List every profile key by section, with type, range, unit and default");
  keys->add_flag("--json", *json, "Print the keys as JSON");
  keys->callback([json] { fmt::print("{}", *json ? keys_json() : keys_text()); });
  prof->add_subcommand("list", "List the built-in profiles")->callback([] {
    for (auto& n : builtin_profile_names()) fmt::print("{}\n", n);
  });
}

}  // namespace hvsim
