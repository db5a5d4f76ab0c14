// .hvt decode speed and bytes per record on a recorded real program (valgrind lackey of
// `sort` over 2,000 lines) against the same accesses as lackey text and as ChampSim records.
// Falls back to a synthetic stream when valgrind is absent.
#include <benchmark/benchmark.h>
#include <lzma.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "common/profile.h"
#include "sim/simulation.h"
#include "workload/read_ahead_source.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/champsim_reader.h"
#include "workload/trace/hvt_reader.h"
#include "workload/trace/hvt_writer.h"
#include "workload/trace/recorder.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

struct Corpus {
  std::string hvt;            // the .hvt bytes
  std::vector<Event> events;  // decoded
  double lackey_bytes = 0;    // text that went through the pipe
  bool recorded = false;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus c;
    fs::path d = fs::temp_directory_path() / ("hvsim_bench_" + std::to_string(getpid()));
    fs::create_directories(d);
    if (valgrind_available()) {
      std::ofstream in(d / "in.txt");
      std::mt19937_64 rng(1);
      for (int i = 0; i < 2000; ++i) in << rng() << "\n";
      in.close();
      RecordOptions o;
      o.out = (d / "sort.hvt").string();
      o.argv = {"/usr/bin/sort", "-o", (d / "sorted.txt").string(), (d / "in.txt").string()};
      RecordResult r = record_trace(o);
      c.lackey_bytes = static_cast<double>(r.lackey_bytes);
      c.recorded = true;
      std::ifstream f(o.out, std::ios::binary);
      c.hvt.assign(std::istreambuf_iterator<char>(f), {});
    } else {
      std::mt19937_64 rng(1);
      std::vector<Event> ev;
      uint64_t pc = 0x400000, sp = 0x7ffc0000;
      for (int i = 0; i < 5'000'000; ++i) {
        pc += rng() % 16 == 0 ? rng() % 4096 : 4;
        ev.push_back(Event::access(EventKind::kIFetch, pc, 4));
        if (i % 3 == 0) ev.push_back(Event::access(EventKind::kLoad, sp + rng() % 256, 8));
      }
      auto w = HvtWriter::to_memory({}, {});
      w.write(ev);
      w.finish();
      c.hvt.assign(w.memory().begin(), w.memory().end());
    }
    fs::remove_all(d);
    HvtReader r(ByteInput::from_memory(c.hvt, "bench.hvt", false));
    std::vector<Event> buf(65536);
    while (size_t n = r.next_batch(buf)) c.events.insert(c.events.end(), buf.begin(), buf.begin() + n);
    return c;
  }();
  return c;
}

void BM_HvtDecode(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<Event> buf(65536);
  uint64_t records = 0;
  for (auto _ : state) {
    HvtReader r(ByteInput::from_memory(c.hvt, "bench.hvt", false));
    while (size_t n = r.next_batch(buf)) {
      records += n;
      benchmark::DoNotOptimize(buf.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.counters["records"] = static_cast<double>(c.events.size());
  state.counters["recorded_program"] = c.recorded ? 1 : 0;
}
BENCHMARK(BM_HvtDecode)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HvtEncode(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    auto w = HvtWriter::to_memory({}, {});
    w.write(c.events);
    w.finish();
    benchmark::DoNotOptimize(w.memory().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.events.size()));
}
BENCHMARK(BM_HvtEncode)->Unit(benchmark::kMillisecond)->UseRealTime();

std::string xz(const std::vector<uint8_t>& s) {
  std::string out(lzma_stream_buffer_bound(s.size()), '\0');
  size_t pos = 0;
  lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, s.data(), s.size(),
                          reinterpret_cast<uint8_t*>(out.data()), &pos, out.size());
  out.resize(pos);
  return out;
}

// The corpus's accesses as ChampSim input_instr records (OS events dropped: the format has none).
std::vector<uint8_t> champsim_records(const Corpus& c) {
  std::vector<uint8_t> out;
  ChampSimWriter w(out);
  w.write(c.events);
  w.finish();
  return out;
}

// Not a timing: reports sizes as counters (bytes per record of each representation).
void BM_BytesPerRecord(benchmark::State& state) {
  const Corpus& c = corpus();
  const std::vector<uint8_t> champsim = champsim_records(c);
  const std::string champsim_xz = xz(champsim);
  for (auto _ : state) benchmark::DoNotOptimize(champsim.size());
  const double n = static_cast<double>(c.events.size());
  state.counters["records"] = n;
  state.counters["hvt_B_per_rec"] = static_cast<double>(c.hvt.size()) / n;
  if (c.recorded) state.counters["lackey_text_B_per_rec"] = c.lackey_bytes / n;
  state.counters["champsim_B_per_rec"] = static_cast<double>(champsim.size()) / n;
  state.counters["champsim_xz_B_per_rec"] = static_cast<double>(champsim_xz.size()) / n;
}
BENCHMARK(BM_BytesPerRecord)->Iterations(1);

// A whole compare (native, nested, shadow on one core) fed by each source of the same stream:
// decoded events already in memory (what a generator hands over), the .hvt, and ChampSim
// records compressed with xz as ChampSim's traces are. Counters: records and accesses per second
// of the trace (one ChampSim record is one instruction), so the cost of reading a trace shows
// as the ratio to the in-memory run.
class MemorySource final : public EventSource {
 public:
  explicit MemorySource(const std::vector<Event>& events) : events_(events) {}
  size_t next_batch(std::span<Event> out) override {
    const size_t n = std::min(out.size(), events_.size() - pos_);
    std::copy_n(events_.begin() + static_cast<ptrdiff_t>(pos_), n, out.begin());
    pos_ += n;
    return n;
  }
  std::string describe() const override { return "decoded events in memory"; }

 private:
  const std::vector<Event>& events_;
  size_t pos_ = 0;
};

enum class Feed { kMemory, kHvt, kChampSimXz };

// With `read_ahead`, a trace is decoded on a thread of its own, as `hvsim compare --trace FILE`
// reads a file (workload/read_ahead_source.h); without, on the simulating thread.
void BM_CompareOnTrace(benchmark::State& state, Feed feed, bool read_ahead) {
  const Corpus& c = corpus();
  const std::vector<uint8_t> champsim = champsim_records(c);
  const std::string champsim_xz = xz(champsim);
  const uint64_t records = champsim.size() / ChampSimReader::record_size(ChampSimReader::Variant::kStandard);
  const Profile profile = load_profile("default");
  uint64_t events = 0, accesses = 0, instructions = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SimulationOptions o;
    o.threads = 1;
    Simulation sim(profile, MachineSizing::for_footprint(profile, 4ull << 30), {"native", "nested", "shadow"},
                   o);
    std::unique_ptr<EventSource> source;
    if (feed == Feed::kMemory) source = std::make_unique<MemorySource>(c.events);
    if (feed == Feed::kHvt)
      source = std::make_unique<HvtReader>(ByteInput::from_memory(c.hvt, "bench.hvt", false));
    if (feed == Feed::kChampSimXz)
      source = std::make_unique<ChampSimReader>(
          ByteInput::decompressing(ByteInput::from_memory(champsim_xz, "bench.champsim.xz", false)),
          ChampSimReader::Variant::kStandard);
    if (read_ahead) source = std::make_unique<ReadAheadSource>(std::move(source));
    state.ResumeTiming();
    events += sim.run(*source);
    accesses += sim.accesses();
    instructions += feed == Feed::kChampSimXz ? records : 0;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["accesses/s"] =
      benchmark::Counter(static_cast<double>(accesses), benchmark::Counter::kIsRate);
  if (feed == Feed::kChampSimXz)
    state.counters["instructions/s"] =
        benchmark::Counter(static_cast<double>(instructions), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_CompareOnTrace, memory, Feed::kMemory, false)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_CompareOnTrace, hvt, Feed::kHvt, false)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_CompareOnTrace, champsim_xz, Feed::kChampSimXz, false)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_CompareOnTrace, hvt_read_ahead, Feed::kHvt, true)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_CompareOnTrace, champsim_xz_read_ahead, Feed::kChampSimXz, true)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace hvsim
