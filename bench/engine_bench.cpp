// Simulated accesses per second of each scheme alone on one core, for every registered scheme on
// gups (1 GiB, 4 KiB guest pages), chase, stream and fork-exit.
//   gups, chase, stream: steady state. The workload's pages are mapped during setup (through the
//     Simulation engine), then the timed loop runs the scheme alone over the same batches (TLBs,
//     walk caches, cache model and tables all live, no machine work left).
//   fork-exit: the whole engine (machine and scheme) from a fresh Simulation each iteration,
//     since its processes come and go: setup is outside the timing, the run inside.
// `native_gups4K_bare` is native with the bare profile (no cache model): the TLB-and-walk cost alone.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/profile.h"
#include "schemes/scheme.h"
#include "sim/simulation.h"
#include "workload/generator.h"

namespace hvsim {
namespace {

constexpr uint64_t kFootprint = 1ull << 30;
constexpr uint64_t kAccesses = 1 << 20;

std::vector<Event> workload_events(const char* workload) {
  WorkloadParams params;
  params.footprint = kFootprint;
  params.accesses = kAccesses;
  auto source = WorkloadRegistry::instance().find(workload)->factory(params);
  std::vector<Event> events(params.accesses + 1);
  events.resize(source->next_batch(events));
  return events;
}

uint64_t accesses_in(const std::vector<Event>& events) {
  uint64_t n = 0;
  for (const Event& e : events) n += is_access(e.kind);
  return n;
}

void report(benchmark::State& state, uint64_t accesses, const SchemeStats& st) {
  state.counters["accesses/s"] =
      benchmark::Counter(static_cast<double>(accesses), benchmark::Counter::kIsRate);
  state.counters["walks/access"] = static_cast<double>(st.walks) / std::max<uint64_t>(1, st.accesses);
}

void steady_state(benchmark::State& state, const std::string& scheme, const char* workload,
                  const char* profile_name) {
  const Profile profile = load_profile(profile_name);
  const std::vector<Event> events = workload_events(workload);
  // Map everything once (and warm the scheme) outside the timed loop.
  Simulation sim(profile, MachineSizing::for_footprint(profile, kFootprint), {scheme}, SimulationOptions{});
  sim.run(events);
  Scheme& s = sim.scheme(0);
  const BatchEffects no_effects;
  const size_t batch = 1 << 16;
  uint64_t accesses = 0;
  const uint64_t per_pass = accesses_in(events);
  for (auto _ : state) {
    for (size_t i = 0; i < events.size(); i += batch) {
      std::span<const Event> b(events.data() + i, std::min(batch, events.size() - i));
      s.run(b, no_effects, nullptr);
    }
    accesses += per_pass;
  }
  report(state, accesses, s.stats);
}

void whole_engine(benchmark::State& state, const std::string& scheme, const char* workload) {
  const Profile profile = load_profile("default");
  const std::vector<Event> events = workload_events(workload);
  const uint64_t per_pass = accesses_in(events);
  uint64_t accesses = 0;
  SchemeStats last;
  for (auto _ : state) {
    state.PauseTiming();
    auto sim = std::make_unique<Simulation>(profile, MachineSizing::for_footprint(profile, kFootprint),
                                            std::vector<std::string>{scheme}, SimulationOptions{});
    state.ResumeTiming();
    sim->run(events);
    accesses += per_pass;
    state.PauseTiming();
    last = sim->scheme(0).stats;
    sim.reset();
    state.ResumeTiming();
  }
  report(state, accesses, last);
}

// Every scheme on every workload, so that a new scheme is measured too. Registered from main():
// the schemes register themselves during static initialisation, in no set order with this file.
void register_all() {
  for (const auto* e : SchemeRegistry::instance().all()) {
    const std::string name = e->name;
    for (const char* w : {"gups", "chase", "stream"}) {
      const std::string label = name + "/" + (std::string(w) == "gups" ? "gups4K" : w);
      benchmark::RegisterBenchmark(label.c_str(), [name, w](benchmark::State& st) {
        steady_state(st, name, w, "default");
      })->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark((name + "/fork-exit").c_str(), [name](benchmark::State& st) {
      whole_engine(st, name, "fork-exit");
    })->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("native/gups4K_bare", [](benchmark::State& st) {
    steady_state(st, "native", "gups", "bare");
  })->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace hvsim

int main(int argc, char** argv) {
  hvsim::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
