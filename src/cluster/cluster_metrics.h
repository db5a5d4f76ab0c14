// Every scalar figure of a cluster run, declared once with name, unit and meaning: the table,
// the JSON and the CSV of `hvsim cluster` walk this list (as report/metric_list does for schemes).
#pragma once
#include <span>
#include <string_view>

#include "cluster/replay.h"

namespace hvsim {

struct ClusterRun {
  std::string policy, allocator;
  uint64_t vms_in_trace = 0, skipped_never_ran = 0;
  ReplayResult result;
};

enum class ClusterFormat : uint8_t { kCount, kPercent, kFixed2 };

struct ClusterMetricDef {
  std::string_view name;  // JSON key and CSV column
  std::string_view unit;
  std::string_view doc;
  double (*value)(const ClusterRun&);
  ClusterFormat format = ClusterFormat::kCount;
  std::string_view table_head = {};  // empty: not in the human table
};

std::span<const ClusterMetricDef> cluster_metric_defs();

}  // namespace hvsim
