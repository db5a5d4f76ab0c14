#include "cli/cluster_translation.h"

#include <fmt/format.h>

#include <map>

#include "common/error.h"
#include "common/units.h"
#include "report/writers.h"
#include "sim/experiment.h"
#include "workload/generator.h"

namespace hvsim {
namespace {

// Translation overhead (translation cycles / all cycles) of `scheme` on the workload.
double overhead_of(const TranslationArgs& a, const Profile& profile, const std::string& scheme) {
  WorkloadParams params;
  params.footprint = parse_size(a.footprint, "--translation-footprint");
  params.accesses = parse_count(a.accesses, "--translation-accesses");
  auto source = WorkloadRegistry::instance().find(a.workload)->factory(params);
  ExperimentOptions opt;
  opt.schemes = {scheme};
  opt.footprint_hint = params.footprint;
  opt.threads = 1;
  const RunReport run = run_experiment(*source, profile, opt);
  for (const SchemeMetrics& m : metrics_of(run, profile))
    if (m.scheme == scheme) return m.translation_overhead;
  throw std::logic_error("translation run without its scheme");
}

}  // namespace

void check_translation(const TranslationArgs& a) {
  if (a.workload.empty()) return;
  if (!WorkloadRegistry::instance().find(a.workload))
    throw InputError(fmt::format("--translation: unknown workload '{}'; expected one of: {}", a.workload,
                                 WorkloadRegistry::instance().names()));
  parse_size(a.footprint, "--translation-footprint");
  parse_count(a.accesses, "--translation-accesses");
}

std::string translation_report(const TranslationArgs& a, const std::vector<ClusterRun>& runs,
                               const Profile& profile) {
  if (a.workload.empty()) return "";
  const double nested = overhead_of(a, profile, "nested");
  std::map<size_t, double> by_count;  // segments -> vm-segment's overhead, run once per count
  std::string out = fmt::format("\ntranslation: {} (footprint {}, {} accesses); nested overhead {:.2f}%\n",
                                a.workload, a.footprint, a.accesses, 100 * nested);
  for (const ClusterRun& r : runs) {
    const auto& hist = r.result.counts.segments_per_vm;
    double weighted = 0, vms = 0;
    std::string parts;
    for (size_t k = 1; k < hist.size(); ++k) {
      if (hist[k] == 0) continue;
      double ovh = nested;  // the last bucket: more extents than registers, paged
      if (k + 1 < hist.size()) {
        if (!by_count.count(k)) {
          Profile p = profile;
          apply_setting(p, "host.backing=segments");
          apply_setting(p, fmt::format("host.segments={}", k));
          validate_profile(p);
          by_count[k] = overhead_of(a, p, "vm-segment");
        }
        ovh = by_count[k];
      }
      weighted += static_cast<double>(hist[k]) * ovh;
      vms += static_cast<double>(hist[k]);
      parts += fmt::format("{}{}: {} VMs at {:.2f}%", parts.empty() ? "" : ", ",
                           k + 1 < hist.size() ? fmt::format("{} seg", k) : "paged", hist[k], 100 * ovh);
    }
    out += fmt::format("{} {}: fleet vm-segment overhead {:.2f}% vs nested {:.2f}% ({})\n", r.policy,
                       r.allocator, vms > 0 ? 100 * weighted / vms : 0.0, 100 * nested, parts);
  }
  return out;
}

}  // namespace hvsim
