// Simulated accesses per second of single schemes on one core, in steady state: the workload's
// pages are mapped during setup (through the Simulation engine), then the timed loop runs the
// scheme alone over the same batches (TLBs, walk caches, cache model and tables all live, no
// machine work left).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/profile.h"
#include "sim/simulation.h"
#include "workload/generator.h"

namespace hvsim {
namespace {

void run_bench(benchmark::State& state, const char* scheme, const char* workload, uint64_t footprint,
               const char* profile_name = "default") {
  const Profile profile = load_profile(profile_name);
  WorkloadParams params;
  params.footprint = footprint;
  params.accesses = 1 << 20;
  auto source = WorkloadRegistry::instance().find(workload)->factory(params);
  std::vector<Event> events(params.accesses + 1);
  events.resize(source->next_batch(events));
  // Map everything once (and warm the scheme) outside the timed loop.
  Simulation sim(profile, MachineSizing::for_footprint(profile, footprint), {scheme}, SimulationOptions{});
  sim.run(events);
  Scheme& s = sim.scheme(0);
  const BatchEffects no_effects;
  const size_t batch = 1 << 16;
  uint64_t accesses = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < events.size(); i += batch) {
      std::span<const Event> b(events.data() + i, std::min(batch, events.size() - i));
      s.run(b, no_effects, nullptr);
    }
    accesses += events.size() - 1;
  }
  state.counters["accesses/s"] =
      benchmark::Counter(static_cast<double>(accesses), benchmark::Counter::kIsRate);
  const SchemeStats& st = s.stats;
  state.counters["walks/access"] = static_cast<double>(st.walks) / std::max<uint64_t>(1, st.accesses);
}

void BM_native_gups4K(benchmark::State& st) { run_bench(st, "native", "gups", 1ull << 30); }
void BM_nested_gups4K(benchmark::State& st) { run_bench(st, "nested", "gups", 1ull << 30); }
void BM_shadow_gups4K(benchmark::State& st) { run_bench(st, "shadow", "gups", 1ull << 30); }
void BM_native_stream(benchmark::State& st) { run_bench(st, "native", "stream", 1ull << 30); }
void BM_nested_stream(benchmark::State& st) { run_bench(st, "nested", "stream", 1ull << 30); }

void BM_native_gups4K_bare(benchmark::State& st) { run_bench(st, "native", "gups", 1ull << 30, "bare"); }
BENCHMARK(BM_native_gups4K_bare)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_native_gups4K)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_nested_gups4K)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_shadow_gups4K)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_native_stream)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_nested_stream)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hvsim
