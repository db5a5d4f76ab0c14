// Simulated events per second of the paravirtual I/O model (src/io/) on one core: one million
// requests for 8 guests per iteration, for a polling and an exit-based policy.
#include <benchmark/benchmark.h>

#include "io/io_simulation.h"

namespace hvsim {
namespace {

void run_bench(benchmark::State& state, IoPolicy policy) {
  IoParams p;
  p.guests = 8;
  p.policy = policy;
  p.load.outstanding = 8;
  p.requests = 1'000'000;
  uint64_t events = 0, requests = 0;
  for (auto _ : state) {
    const IoResult r = simulate_io(p);
    events += r.events;
    requests += r.counts.completed;
    benchmark::DoNotOptimize(r.elapsed_ns);
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
}

void BM_Io8GuestsExitless(benchmark::State& s) { run_bench(s, IoPolicy::kExitless); }
void BM_Io8GuestsExitEventIdx(benchmark::State& s) { run_bench(s, IoPolicy::kExitEventIdx); }
void BM_Io8GuestsHybrid(benchmark::State& s) { run_bench(s, IoPolicy::kHybrid); }
BENCHMARK(BM_Io8GuestsExitless)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Io8GuestsExitEventIdx)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Io8GuestsHybrid)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hvsim
