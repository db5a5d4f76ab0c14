#include "sim/experiment.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <sstream>

#include "common/error.h"
#include "common/memory_budget.h"
#include "sim/simulation.h"

namespace hvsim {

std::vector<std::string> resolve_schemes(const std::string& comma_list) {
  auto& reg = SchemeRegistry::instance();
  std::vector<std::string> out;
  std::stringstream ss(comma_list);
  std::string name;
  while (std::getline(ss, name, ',')) {
    if (name.empty()) continue;
    if (name == "all") {
      for (auto* e : reg.all()) out.push_back(e->name);
      continue;
    }
    if (!reg.find(name))
      throw InputError(
          fmt::format("--schemes: unknown scheme '{}'; expected a comma-separated list of: {}, or all", name,
                      reg.names()));
    out.push_back(name);
  }
  if (out.empty())
    throw InputError(fmt::format("--schemes: no scheme given; expected some of: {}, or all", reg.names()));
  std::vector<std::string> unique;
  for (auto& n : out)
    if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
  return unique;
}

namespace {

// The progress line on stderr (after two seconds, twice a second) and the memory budget's
// growth check.
class Progress final : public SimulationObserver {
 public:
  using Clock = std::chrono::steady_clock;
  Progress(const ExperimentOptions& options, Clock::time_point t0) : options_(options), t0_(t0), last_(t0) {}
  void on_progress(uint64_t done) override {
    MemoryBudget::instance().note_progress(done);
    if (!options_.progress) return;
    auto now = Clock::now();
    if (now - t0_ <= std::chrono::seconds(2) || now - last_ <= std::chrono::milliseconds(500)) return;
    last_ = now;
    shown_ = true;
    if (options_.expected_events)
      fmt::print(stderr, "\r{}: {:.1f}M of {:.1f}M events ({:.0f}%)   ", options_.label, done / 1e6,
                 options_.expected_events / 1e6, 100.0 * done / options_.expected_events);
    else
      fmt::print(stderr, "\r{}: {:.1f}M events   ", options_.label, done / 1e6);
  }
  void clear() {
    if (shown_) fmt::print(stderr, "\r{:80}\r", "");
  }

 private:
  const ExperimentOptions& options_;
  Clock::time_point t0_, last_;
  bool shown_ = false;
};

void describe_warmup(const Simulation& sim, const ExperimentOptions& options, RunReport& result) {
  if (options.warmup_accesses) {
    result.warmup_mode = "fixed";
  } else if (options.warmup_auto) {
    result.warmup_mode = "auto";
    // A stream shorter than its first-touch phase is measured whole: a cold run, said so.
    result.warmup_reason =
        sim.in_warmup() ? "the stream ended first; the whole run is measured, cold" : sim.warmup_reason();
  }
}

}  // namespace

RunReport run_experiment(EventSource& source, const Profile& profile, const ExperimentOptions& options) {
  return run_experiment(source, profile, scheme_units(profile, options.schemes), options);
}

RunReport run_experiment(EventSource& source, const Profile& profile, const std::vector<SchemeUnit>& units,
                         const ExperimentOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  RunReport result;
  result.description = source.describe();
  result.verified = options.verify;

  SimulationOptions sim_options;
  sim_options.verify = options.verify;
  sim_options.threads = options.threads;
  sim_options.max_batch = options.batch_events;
  sim_options.warmup_accesses = options.warmup_accesses;
  sim_options.warmup_auto = options.warmup_auto;
  sim_options.measure_accesses = options.measure_accesses;
  sim_options.epoch_accesses = options.epoch_accesses;
  Simulation sim(
      units, profile,
      MachineSizing::for_footprint(profile, options.footprint_hint ? options.footprint_hint : 32 * kGiB),
      sim_options);

  Progress progress(options, t0);
  const uint64_t stepped = sim.run(source, &progress);
  progress.clear();
  // A warm-up as long as the stream leaves nothing measured: the figures would be meaningless.
  if (options.warmup_accesses && (sim.in_warmup() || sim.accesses() == 0))
    throw InputError(
        fmt::format("--warmup {}: {} has only {} accesses; expected a warm-up shorter than the stream",
                    options.warmup_accesses, source.describe(),
                    sim.in_warmup() ? sim.accesses() : options.warmup_accesses));

  std::vector<SchemeStats> measured = sim.finish();
  result.events = sim.events();
  result.warmup_events = stepped - result.events;
  result.warmup_accesses = sim.warmup_accesses();
  result.accesses = sim.accesses();
  result.verified_accesses = sim.verified_accesses();
  describe_warmup(sim, options, result);
  for (size_t i = 0; i < measured.size(); ++i)
    result.schemes.push_back({sim.schemes()[i]->name, std::move(measured[i]),
                              sim.schemes()[i]->decision_costs, sim.machine_of(i).layout});
  for (const Epoch& e : sim.epochs()) {
    EpochReport er{e.first_access, e.accesses, {}};
    for (size_t i = 0; i < e.schemes.size(); ++i)
      er.schemes.push_back({sim.schemes()[i]->name, e.schemes[i], {}, sim.machine_of(i).layout});
    result.epochs.push_back(std::move(er));
  }
  result.guest_table_pages = sim.machine().guest().table_memory().pages();
  result.host_table_pages = sim.machine().hypervisor().host_tables().pages();
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return result;
}

}  // namespace hvsim
