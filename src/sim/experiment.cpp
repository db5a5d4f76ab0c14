#include "sim/experiment.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <sstream>

#include "common/error.h"
#include "common/memory_budget.h"
#include "os/canonical.h"
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

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

// Folds canonical addresses and rejects the others (os/canonical.h); `first` is the stream
// index of events[0].
void check_addresses(std::span<Event> events, uint64_t first, int levels, const EventSource& source) {
  for (size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    const Event before = e;
    if (canonicalize(e, levels)) continue;
    const unsigned bits = virtual_address_bits(levels);
    throw InputError(
        fmt::format("{}: event {} ({}, pid {}): guest-virtual address {}{} is not canonical for {}-level "
                    "paging; expected "
                    "bits 63..{} all equal to bit {}",
                    source.describe(), first + i, event_kind_name(before.kind), before.pid, hex(before.addr),
                    before.arg && !is_access(before.kind) ? fmt::format(" (length {})", hex(before.arg)) : "",
                    levels, bits - 1, bits - 1));
  }
}

}  // namespace

RunReport run_experiment(EventSource& source, const Profile& profile, const ExperimentOptions& options) {
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
  sim_options.epoch_accesses = options.epoch_accesses;
  Simulation sim(
      profile,
      MachineSizing::for_footprint(profile, options.footprint_hint ? options.footprint_hint : 32 * kGiB),
      options.schemes, sim_options);

  // Events wait in `buffer[head, head + have)`: the machine may take only a prefix of what is
  // offered (an event that changes existing translations must start a batch).
  std::vector<Event> buffer(options.batch_events);
  size_t head = 0, have = 0;
  bool source_done = false;

  auto last_progress = t0;
  bool progress_shown = false;
  uint64_t stepped = 0;  // events, warm-up included
  for (;;) {
    if (have == 0) head = 0;
    if (!source_done && have < buffer.size() / 2) {
      if (head > 0) {
        std::copy(buffer.begin() + head, buffer.begin() + head + have, buffer.begin());
        head = 0;
      }
      size_t got =
          source.next_batch(std::span<Event>(buffer.data() + head + have, buffer.size() - head - have));
      if (got == 0) source_done = true;
      check_addresses(std::span<Event>(buffer.data() + head + have, got), stepped + have,
                      profile.guest_levels, source);
      have += got;
    }
    if (have == 0) break;
    const size_t n = sim.step(std::span<const Event>(buffer.data() + head, have));
    head += n;
    have -= n;
    stepped += n;
    MemoryBudget::instance().note_progress(stepped);
    if (options.progress) {
      auto now = Clock::now();
      if (now - t0 > std::chrono::seconds(2) && now - last_progress > std::chrono::milliseconds(500)) {
        last_progress = now;
        progress_shown = true;
        uint64_t done = stepped;
        if (options.expected_events)
          fmt::print(stderr, "\r{}: {:.1f}M of {:.1f}M events ({:.0f}%)   ", options.label, done / 1e6,
                     options.expected_events / 1e6, 100.0 * done / options.expected_events);
        else
          fmt::print(stderr, "\r{}: {:.1f}M events   ", options.label, done / 1e6);
      }
    }
  }
  if (progress_shown) fmt::print(stderr, "\r{:80}\r", "");
  // A warm-up as long as the stream leaves nothing measured: the figures would be meaningless.
  if (options.warmup_accesses && (sim.in_warmup() || sim.accesses() == 0))
    throw InputError(
        fmt::format("--warmup {}: {} has only {} accesses; expected a warm-up shorter than the stream",
                    options.warmup_accesses, source.describe(),
                    sim.in_warmup() ? sim.accesses() : options.warmup_accesses));

  std::vector<SchemeStats> measured = sim.finish();
  result.events = sim.events();
  result.warmup_events = stepped - result.events;
  result.accesses = sim.accesses();
  result.verified_accesses = sim.verified_accesses();
  for (size_t i = 0; i < measured.size(); ++i)
    result.schemes.push_back(
        {sim.schemes()[i]->name, std::move(measured[i]), sim.schemes()[i]->decision_costs});
  for (const Epoch& e : sim.epochs()) {
    EpochReport er{e.first_access, e.accesses, {}};
    for (size_t i = 0; i < e.schemes.size(); ++i)
      er.schemes.push_back({sim.schemes()[i]->name, e.schemes[i], {}});
    result.epochs.push_back(std::move(er));
  }
  result.guest_table_pages = sim.machine().guest().table_memory().pages();
  result.host_table_pages = sim.machine().hypervisor().host_tables().pages();
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return result;
}

}  // namespace hvsim
