// A machine profile: every registered config section (TLB geometry, caches, paging depths, each
// scheme's keys…) and the primitive costs (exits, hypercalls, faults) of one machine, loaded
// from TOML. Results such as "a shadow fault costs N times a nested one" come out of the model,
// never from a profile. Components take their own section: `profile.section<TlbConfig>()`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/config_registry.h"
#include "common/costs.h"

namespace hvsim {

// [core]
struct CoreConfig {
  double frequency_ghz = 2.5;
  uint32_t base_cycles_per_access = 1;  // non-memory work per access
};

// [profile]: what the file calls itself.
struct ProfileInfo {
  std::string name = "builtin";
  std::string origin;  // file it was read from, or "built-in"
};

struct Profile : Config, ProfileInfo {
  // [costs]: the primitive costs, in cycles (common/costs.h).
  CostTable costs;

  double cycles_to_us(double cycles) const { return cycles / (section<CoreConfig>().frequency_ghz * 1000.0); }
};

// Profile files are small; anything larger (or a device that never ends) is refused.
inline constexpr uint64_t kMaxProfileBytes = uint64_t{1} << 20;

// Loads a profile by name (a shipped preset: "default", "bare") or by path to a .toml file.
Profile load_profile(const std::string& name_or_path);
// Parses profile text; `origin` names it in error messages.
Profile parse_profile(const std::string& text, const std::string& origin);
// Applies `section.key=value`; throws InputError naming the key and what it expects.
void apply_setting(Profile& p, const std::string& assignment);
// Rejects geometry the model cannot represent exactly (entries that are not whole sets, a
// non-power-of-two line size or cache set count, memory that is not whole pages), naming the
// key and what it expects: each section's own checks. Run once every setting is applied.
void validate_profile(const Profile& p);

// The profile's set-associative structures, largest first, with what one instance takes:
// {"tlb.l2_entries=1536", bytes}. Names the culprit when a configuration cannot fit in memory.
StructureSizes profile_structure_bytes(const Profile& p);

std::vector<std::string> builtin_profile_names();

}  // namespace hvsim
