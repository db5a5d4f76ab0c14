#include "common/profile.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/error.h"
#include "common/units.h"
#include "profiles_embedded.h"

namespace hvsim {

HVSIM_CONFIG_SECTION(CoreConfig, "core", 10, "the simulated core") {
  s.number("frequency_ghz", &CoreConfig::frequency_ghz, 0.05, 20, true)
      .unit("GHz")
      .doc("core clock, for converting cycles to time");
  s.integer("base_cycles_per_access", &CoreConfig::base_cycles_per_access, 0, 1u << 30)
      .unit("cycles")
      .doc("cycles of non-memory work per access");
}

namespace {

// [profile] and [costs] live in the Profile itself, beside its slots.
void* profile_info(Config& c) { return static_cast<ProfileInfo*>(&static_cast<Profile&>(c)); }
void* profile_costs(Config& c) { return &static_cast<Profile&>(c).costs; }

void profile_keys(SectionDecl<ProfileInfo>& s) {
  s.text("name", &ProfileInfo::name).doc("the profile's name in reports (default: the file's name)");
}

// Every [costs] key, from the one list in common/costs.cpp.
void cost_keys(SectionDecl<CostTable>& s) {
  for (size_t i = 0; i < kCostCount; ++i) {
    const Cost c = static_cast<Cost>(i);
    s.integer(
         std::string(cost_key(c)), [c](CostTable & t) -> auto& { return t[c]; }, 0, kMaxCostCycles)
        .unit("cycles")
        .doc(std::string(cost_info(c).doc));
  }
}

[[maybe_unused]] const bool kProfileSections =
    ConfigRegistry::instance().declare<ProfileInfo>("profile", 0, "the profile itself", &profile_keys,
                                                    &profile_info) &&
    ConfigRegistry::instance().declare<CostTable>(
        "costs", 90, "primitive costs of the machine, its hypervisor and the guest kernel", &cost_keys,
        &profile_costs);

const std::map<std::string, std::string>& builtin_profiles() {
  static const std::map<std::string, std::string> m = {
      {"default", kProfileDefault}, {"bare", kProfileBare}, {"systor2012", kProfileSystor2012}};
  return m;
}

}  // namespace

Profile parse_profile(const std::string& text, const std::string& origin) {
  Profile p;
  p.origin = origin;
  p.read_toml(text, origin);
  return p;
}

Profile load_profile(const std::string& name_or_path) {
  auto& builtins = builtin_profiles();
  if (auto it = builtins.find(name_or_path); it != builtins.end()) {
    Profile p = parse_profile(it->second, "profile '" + name_or_path + "'");
    p.name = name_or_path;
    p.origin = "built-in";
    return p;
  }
  namespace fs = std::filesystem;
  if (!fs::exists(name_or_path)) {
    std::string names;
    for (auto& [n, _] : builtins) names += (names.empty() ? "" : ", ") + n;
    throw InputError(fmt::format(
        "profile '{}': no such built-in profile or file; expected one of {} or a path to a .toml file",
        name_or_path, names));
  }
  std::ifstream in(name_or_path, std::ios::binary);
  if (!in || fs::is_directory(name_or_path))
    throw InputError(fmt::format("{}: cannot read profile file", name_or_path));
  // Read at most one byte past the limit: a device such as /dev/zero never ends.
  std::string text(kMaxProfileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw InputError(fmt::format("{}: cannot read profile file", name_or_path));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxProfileBytes)
    throw InputError(fmt::format("{}: the profile is larger than {}; expected a TOML profile file",
                                 name_or_path, format_size(kMaxProfileBytes)));
  Profile p = parse_profile(text, name_or_path);
  if (p.name == "builtin") p.name = fs::path(name_or_path).stem().string();
  return p;
}

void apply_setting(Profile& p, const std::string& assignment) { p.apply(assignment); }

void validate_profile(const Profile& p) { p.validate(); }

StructureSizes profile_structure_bytes(const Profile& p) { return p.structure_bytes(); }

std::vector<std::string> builtin_profile_names() {
  std::vector<std::string> v;
  for (auto& [n, _] : builtin_profiles()) v.push_back(n);
  return v;
}

}  // namespace hvsim
