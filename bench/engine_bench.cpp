// Simulated accesses per second of single schemes on one core, in steady state: the workload's
// pages are mapped during setup, then the timed loop runs the scheme over the same batches
// (TLBs, walk caches, cache model and tables all live, no machine work left).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/profile.h"
#include "machine/machine.h"
#include "schemes/scheme.h"
#include "workload/generator.h"

namespace hvsim {
namespace {

struct Setup {
  Profile profile;
  std::unique_ptr<Machine> machine;
  std::unique_ptr<Scheme> scheme;
  std::vector<Event> events;
  BatchEffects no_effects;
};

void run_bench(benchmark::State& state, const char* scheme, const char* workload, uint64_t footprint,
               const char* profile = "default") {
  Setup s;
  s.profile = load_profile(profile);
  WorkloadParams params;
  params.footprint = footprint;
  params.accesses = 1 << 20;
  auto source = WorkloadRegistry::instance().find(workload)->factory(params);
  s.events.resize(params.accesses + 1);
  s.events.resize(source->next_batch(s.events));
  s.machine = std::make_unique<Machine>(s.profile, MachineSizing::for_footprint(s.profile, footprint));
  SchemeContext ctx{s.profile, *s.machine};
  s.scheme = SchemeRegistry::instance().find(scheme)->factory(ctx);
  // Map everything once (and warm the scheme) outside the timed loop.
  BatchEffects fx;
  const size_t batch = 1 << 16;
  for (size_t i = 0; i < s.events.size(); i += batch) {
    std::span<const Event> b(s.events.data() + i, std::min(batch, s.events.size() - i));
    s.machine->prepare(b, fx);
    s.scheme->run(b, fx, nullptr);
  }
  uint64_t accesses = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < s.events.size(); i += batch) {
      std::span<const Event> b(s.events.data() + i, std::min(batch, s.events.size() - i));
      s.scheme->run(b, s.no_effects, nullptr);
    }
    accesses += s.events.size() - 1;
  }
  state.counters["accesses/s"] =
      benchmark::Counter(static_cast<double>(accesses), benchmark::Counter::kIsRate);
  const SchemeStats& st = s.scheme->stats;
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
