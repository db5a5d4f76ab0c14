// Placement policies: which host a VM goes to. The four bases treat memory as one number, as
// cluster schedulers do (CloudSim Plus, kube-scheduler): packing (the first host by id with
// enough free memory), tightest (least free memory that fits), spreading (most free memory),
// random (the first fitting host after a random id). The segment-aware versions first look,
// in the same order, for a host with one hole big enough for the whole VM and split only when
// none has; the migrating versions also try to move one VM off a host to open such a hole.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvsim {

enum class PolicyBase : uint8_t { kPacking, kTightest, kSpreading, kRandom };

struct PlacementPolicy {
  PolicyBase base = PolicyBase::kPacking;
  bool segment_aware = false;
  bool migrate = false;  // implies segment_aware
};

// "packing", "tightest-seg", "spreading-migrate"…; throws InputError listing the names.
PlacementPolicy parse_policy(const std::string& name);
std::string policy_name(const PlacementPolicy& p);
std::vector<std::string> policy_names();

}  // namespace hvsim
