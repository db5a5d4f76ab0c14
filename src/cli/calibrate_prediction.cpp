#include "cli/calibrate_prediction.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "common/units.h"
#include "sim/experiment.h"
#include "workload/generator.h"

namespace hvsim {
namespace {

constexpr uint64_t kMeasuredAccesses = 1'000'000;

// Cycles per measured access of each of `schemes` on the chase with `settings` applied to `base`.
std::vector<double> chase_cycles(const Profile& base, const std::vector<std::string>& schemes,
                                 const std::vector<std::string>& settings, uint64_t footprint) {
  Profile p = base;
  for (const auto& s : settings) apply_setting(p, s);
  validate_profile(p);
  WorkloadParams params;
  params.footprint = footprint;
  // Every 4 KiB page is visited about eight times before measuring starts (e^-8 left unmapped).
  const uint64_t warmup = std::clamp<uint64_t>(footprint / 4096 * 8, 100'000, 8'000'000);
  params.accesses = kMeasuredAccesses + warmup;
  auto* entry = WorkloadRegistry::instance().find("chase");
  if (!entry) throw std::logic_error("the chase workload is not registered");
  auto source = entry->factory(params);
  ExperimentOptions opt;
  opt.schemes = schemes;
  opt.footprint_hint = footprint;
  opt.warmup_accesses = warmup;
  const RunReport r = run_experiment(*source, p, opt);
  std::vector<double> out;
  for (const auto& s : r.schemes)
    out.push_back(s.stats.accesses
                      ? static_cast<double>(s.stats.total_cycles()) / static_cast<double>(s.stats.accesses)
                      : 0);
  return out;
}

}  // namespace

std::vector<ChasePrediction> predict_chase_ratio(const Profile& profile, uint64_t footprint,
                                                 const std::function<void(const std::string&)>& progress) {
  // Native paging has no host dimension: it runs beside nested on 2 MiB host pages.
  struct Run {
    std::string host;
    std::vector<std::string> schemes, labels;
  };
  const std::vector<Run> runs = {
      {"2M", {"native", "nested"}, {"native", "nested, host 2 MiB pages"}},
      {"4K", {"nested"}, {"nested, host 4 KiB pages"}},
  };
  std::vector<ChasePrediction> out;
  for (const auto& run : runs) {
    const std::string host = "host.page_size=" + run.host;
    std::vector<std::vector<double>> by_guest;
    for (const char* guest : {"4K", "2M"}) {
      if (progress)
        progress(fmt::format("hvsim chase over {} on {} pages: {}", format_size(footprint), guest,
                             fmt::join(run.labels, ", ")));
      by_guest.push_back(
          chase_cycles(profile, run.schemes, {host, std::string("guest.page_size=") + guest}, footprint));
    }
    for (size_t i = 0; i < run.schemes.size(); ++i) {
      std::vector<std::string> set;
      if (run.schemes[i] != "native") set.push_back(host);
      out.push_back({run.labels[i], set, by_guest[0].at(i), by_guest[1].at(i)});
    }
  }
  return out;
}

}  // namespace hvsim
