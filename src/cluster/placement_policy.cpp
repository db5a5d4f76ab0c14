#include "cluster/placement_policy.h"

#include "common/error.h"

namespace hvsim {
namespace {

constexpr const char* kBases[] = {"packing", "tightest", "spreading", "random"};
constexpr const char* kSuffixes[] = {"", "-seg", "-migrate"};

}  // namespace

std::vector<std::string> policy_names() {
  std::vector<std::string> out;
  for (const char* suffix : kSuffixes)
    for (const char* base : kBases) out.push_back(std::string(base) + suffix);
  return out;
}

std::string policy_name(const PlacementPolicy& p) {
  return std::string(kBases[static_cast<int>(p.base)]) + (p.migrate         ? "-migrate"
                                                          : p.segment_aware ? "-seg"
                                                                            : "");
}

PlacementPolicy parse_policy(const std::string& name) {
  for (int b = 0; b < 4; ++b)
    for (int s = 0; s < 3; ++s)
      if (name == std::string(kBases[b]) + kSuffixes[s]) return {static_cast<PolicyBase>(b), s >= 1, s == 2};
  std::string all;
  for (const auto& n : policy_names()) all += (all.empty() ? "" : ", ") + n;
  throw InputError("--policy: '" + name + "' is not a placement policy; expected one of: " + all);
}

}  // namespace hvsim
