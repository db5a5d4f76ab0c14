// `hvsim cluster --translation WORKLOAD`: what the fleet's segment counts cost in translation.
// Each observed count k runs the vm-segment scheme with k host segments (host.backing=segments,
// host.segments=k), `nested` runs once, and the fleet's overhead is the VM-weighted mean; VMs
// with more extents than segment registers are charged nested's (their memory is paged).
#pragma once
#include <string>
#include <vector>

#include "cluster/cluster_metrics.h"
#include "common/profile.h"

namespace hvsim {

struct TranslationArgs {
  std::string workload;  // empty: no translation report
  std::string footprint = "1GiB", accesses = "1M";
};

// Checks the workload name and sizes before anything runs; throws InputError.
void check_translation(const TranslationArgs& a);
// One block of lines per run.
std::string translation_report(const TranslationArgs& a, const std::vector<ClusterRun>& runs,
                               const Profile& profile);

}  // namespace hvsim
