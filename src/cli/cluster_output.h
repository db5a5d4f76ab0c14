// Renderings of `hvsim cluster` runs: the human table, JSON, CSV and the per-VM segment list,
// all walking cluster_metric_defs() (documented in docs/cluster.md).
#pragma once
#include <string>
#include <vector>

#include "cluster/cluster_metrics.h"

namespace hvsim {

std::string render_cluster_table(const std::vector<ClusterRun>& runs);
std::string render_cluster_json(const std::vector<ClusterRun>& runs, const std::string& settings_json);
std::string render_cluster_csv(const std::vector<ClusterRun>& runs);
// policy,allocator,vm,host,segments,extents ("start+length;…" in bytes of host-physical address),
// one row per arrival; host -1 and no extents for a VM that failed.
std::string render_segment_list(const std::vector<ClusterRun>& runs, uint64_t granule);

}  // namespace hvsim
