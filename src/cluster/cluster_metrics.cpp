#include "cluster/cluster_metrics.h"

namespace hvsim {
namespace {

double d(uint64_t v) { return static_cast<double>(v); }
const ClusterCounts& c(const ClusterRun& r) { return r.result.counts; }
double failed(const ClusterRun& r, FailReason f) { return d(c(r).failed[static_cast<int>(f)]); }
double share(double part, double whole) { return whole > 0 ? part / whole : 0; }
double multi(const ClusterRun& r) { return d(c(r).placed - c(r).single_segment); }
double mean_segments(const ClusterRun& r) {
  uint64_t sum = 0;
  for (size_t k = 0; k + 1 < c(r).segments_per_vm.size(); ++k) sum += k * c(r).segments_per_vm[k];
  return share(d(sum), d(c(r).placed - c(r).over_budget));
}
double mean_fragmentation(const ClusterRun& r) {
  double sum = 0;
  for (const FragSample& s : r.result.samples) sum += s.fragmentation;
  return r.result.samples.empty() ? 0 : sum / d(r.result.samples.size());
}

constexpr ClusterMetricDef kDefs[] = {
    {"hosts", "hosts", "hosts in the cluster", [](const ClusterRun& r) { return d(r.result.hosts); }},
    {"usable_bytes", "bytes", "host memory VMs may use: RAM less reserved regions and pinned granules",
     [](const ClusterRun& r) { return d(r.result.usable_bytes); }},
    {"skipped_never_ran", "VMs", "trace rows of tasks never scheduled (openb Pending), not replayed",
     [](const ClusterRun& r) { return d(r.skipped_never_ran); }},
    {"vms_seen", "VMs", "VM arrivals replayed", [](const ClusterRun& r) { return d(c(r).arrivals); },
     ClusterFormat::kCount, "VMs"},
    {"placed", "VMs", "VMs given a host and memory", [](const ClusterRun& r) { return d(c(r).placed); },
     ClusterFormat::kCount, "placed"},
    {"failed_too_large", "VMs", "VMs larger than every host (memory, CPU or GPU)",
     [](const ClusterRun& r) { return failed(r, FailReason::kTooLarge); }, ClusterFormat::kCount,
     "too large"},
    {"failed_no_capacity", "VMs", "VMs no host had the free memory (and CPU/GPU) for",
     [](const ClusterRun& r) { return failed(r, FailReason::kNoCapacity); }, ClusterFormat::kCount,
     "no room"},
    {"failed_fragmented", "VMs",
     "VMs whose chosen host had the free memory but no hole for it, with cluster.split=refuse",
     [](const ClusterRun& r) { return failed(r, FailReason::kFragmented); }, ClusterFormat::kCount, "fragm."},
    {"single_segment", "VMs", "placed VMs whose memory is one host segment",
     [](const ClusterRun& r) { return d(c(r).single_segment); }},
    {"single_segment_share_placed", "fraction", "single-segment VMs / placed VMs",
     [](const ClusterRun& r) { return share(d(c(r).single_segment), d(c(r).placed)); },
     ClusterFormat::kPercent, "1-seg/placed"},
    {"single_segment_share_all", "fraction", "single-segment VMs / all VMs replayed",
     [](const ClusterRun& r) { return share(d(c(r).single_segment), d(c(r).arrivals)); },
     ClusterFormat::kPercent, "1-seg/all"},
    {"multi_segment", "VMs", "placed VMs split into two or more segments", multi, ClusterFormat::kCount,
     "split"},
    {"over_budget", "VMs",
     "placed VMs whose host had the memory in more extents than cluster.segments: the rest is paged",
     [](const ClusterRun& r) { return d(c(r).over_budget); }, ClusterFormat::kCount, "paged"},
    {"mean_segments", "segments", "segments per placed VM within the budget (VMs over it not counted)",
     mean_segments, ClusterFormat::kFixed2, "segs/VM"},
    {"wasted_share", "fraction",
     "memory given beyond what placed VMs asked (granule, buddy, alignment rounding)",
     [](const ClusterRun& r) { return share(d(c(r).wasted_bytes), d(c(r).requested_bytes)); },
     ClusterFormat::kPercent, "waste"},
    {"peak_load", "fraction", "largest share of usable memory given to VMs at once",
     [](const ClusterRun& r) { return c(r).peak_load; }, ClusterFormat::kPercent, "peak load"},
    {"mean_load", "fraction", "time-weighted share of usable memory given (steady: second half of the run)",
     [](const ClusterRun& r) { return r.result.mean_load; }, ClusterFormat::kPercent, "mean load"},
    {"offered_load", "fraction", "steady state: the memory load offered (0 in other modes)",
     [](const ClusterRun& r) { return r.result.offered_load; }},
    {"mean_fragmentation", "fraction",
     "mean over the samples of 1 - (sum of hosts' largest holes / sum of their free memory)",
     mean_fragmentation, ClusterFormat::kPercent, "frag"},
    {"migrations", "VMs", "VMs moved to open a hole (the -migrate policies)",
     [](const ClusterRun& r) { return d(c(r).migrations); }, ClusterFormat::kCount, "migr."},
};

}  // namespace

std::span<const ClusterMetricDef> cluster_metric_defs() { return kDefs; }

}  // namespace hvsim
