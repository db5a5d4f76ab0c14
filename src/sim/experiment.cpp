#include "sim/experiment.h"

#include <fmt/format.h>
#include <unistd.h>

#include <barrier>
#include <chrono>
#include <exception>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/memory_budget.h"
#include "os/canonical.h"

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

// Runs each worker's share of the schemes on every batch; the main thread prepares batches.
class SchemeWorkers {
 public:
  SchemeWorkers(std::vector<std::unique_ptr<Scheme>>& schemes, unsigned threads)
      : schemes_(schemes),
        threads_(std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(schemes.size())))),
        start_(threads_ + 1),
        done_(threads_ + 1) {
    if (threads_ == 1) return;  // run inline
    for (unsigned t = 0; t < threads_; ++t) workers_.emplace_back([this, t] { loop(t); });
  }
  ~SchemeWorkers() {
    if (workers_.empty()) return;
    stop_ = true;
    start_.arrive_and_wait();
    for (auto& w : workers_) w.join();
  }

  void run(std::span<const Event> events, const BatchEffects& fx,
           std::vector<std::vector<HostPhysAddr>>* outs) {
    events_ = events;
    fx_ = &fx;
    outs_ = outs;
    // Waking the workers costs more than a small batch (batches get small when copy-on-write
    // and unmaps split them): run those inline.
    if (workers_.empty() || events.size() < kInlineBatch) {
      for (size_t s = 0; s < schemes_.size(); ++s)
        schemes_[s]->run(events_, *fx_, outs_ ? (*outs_)[s].data() : nullptr);
    } else {
      start_.arrive_and_wait();
      done_.arrive_and_wait();
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr size_t kInlineBatch = 512;

  void share(unsigned t) {
    for (size_t s = t; s < schemes_.size(); s += threads_)
      schemes_[s]->run(events_, *fx_, outs_ ? (*outs_)[s].data() : nullptr);
  }
  void loop(unsigned t) {
    for (;;) {
      start_.arrive_and_wait();
      if (stop_) return;
      try {
        share(t);
      } catch (...) {
        std::lock_guard lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      done_.arrive_and_wait();
    }
  }

  std::vector<std::unique_ptr<Scheme>>& schemes_;
  unsigned threads_;
  std::barrier<> start_, done_;
  std::vector<std::thread> workers_;
  std::span<const Event> events_;
  const BatchEffects* fx_ = nullptr;
  std::vector<std::vector<HostPhysAddr>>* outs_ = nullptr;
  bool stop_ = false;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

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

  Machine machine(profile, MachineSizing::for_footprint(
                               profile, options.footprint_hint ? options.footprint_hint : 32 * kGiB));
  SchemeContext ctx{profile, machine};
  std::vector<std::unique_ptr<Scheme>> schemes;
  for (const auto& name : options.schemes) {
    auto s = SchemeRegistry::instance().find(name)->factory(ctx);
    s->name = name;
    schemes.push_back(std::move(s));
  }
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  SchemeWorkers workers(schemes, threads);

  // Events wait in `buffer[head, head + have)`: the machine may take only a prefix of what is
  // offered (an event that changes existing translations must start a batch).
  std::vector<Event> buffer(options.batch_events);
  size_t head = 0, have = 0;
  bool source_done = false;
  BatchEffects fx;
  std::vector<std::vector<HostPhysAddr>> outs;
  if (options.verify) outs.assign(schemes.size(), std::vector<HostPhysAddr>(options.batch_events));

  auto last_progress = t0;
  bool progress_shown = false;
  uint64_t warmup_left = options.warmup_accesses;
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
      check_addresses(std::span<Event>(buffer.data() + head + have, got),
                      result.warmup_events + result.events + have, profile.guest_levels, source);
      have += got;
    }
    if (have == 0) break;
    // A batch never straddles the end of the warm-up (counted in accesses), so counters reset
    // exactly there.
    size_t offer = have;
    if (warmup_left) {
      uint64_t acc = 0;
      for (offer = 0; offer < have; ++offer)
        if (is_access(buffer[head + offer].kind) && ++acc > warmup_left) break;
    }
    size_t n = machine.prepare(std::span<const Event>(buffer.data() + head, offer), fx);
    std::span<const Event> events(buffer.data() + head, n);
    head += n;
    have -= n;
    workers.run(events, fx, options.verify ? &outs : nullptr);
    for (size_t i = 0; i < n; ++i) {
      if (!is_access(events[i].kind)) continue;
      ++result.accesses;
      if (!options.verify) continue;
      auto ref = machine.reference_translate(events[i].pid, GuestVirtAddr(events[i].addr));
      for (size_t s = 0; s < schemes.size(); ++s) {
        if (!ref || outs[s][i] != *ref)
          throw SimulationError(
              fmt::format("--verify: scheme '{}' translated access {} (pid {}, guest-virtual {}) to "
                          "host-physical {}, expected {}",
                          schemes[s]->name, result.events + i, events[i].pid, hex(events[i].addr),
                          hex(outs[s][i].value), ref ? hex(ref->value) : "a fault"));
      }
      ++result.verified_accesses;
    }
    result.events += n;
    MemoryBudget::instance().note_progress(result.warmup_events + result.events);
    if (warmup_left) {
      uint64_t batch_accesses = 0;
      for (const Event& ev : events) batch_accesses += is_access(ev.kind);
      warmup_left -= batch_accesses;
      if (warmup_left == 0) {
        for (auto& s : schemes) s->reset_stats();
        result.warmup_events = result.events;
        result.events = result.accesses = result.verified_accesses = 0;
      }
    }
    if (options.progress) {
      auto now = Clock::now();
      if (now - t0 > std::chrono::seconds(2) && now - last_progress > std::chrono::milliseconds(500)) {
        last_progress = now;
        progress_shown = true;
        uint64_t done = result.warmup_events + result.events;
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
  if (options.warmup_accesses && (warmup_left > 0 || result.accesses == 0))
    throw InputError(
        fmt::format("--warmup {}: {} has only {} accesses; expected a warm-up shorter than the stream",
                    options.warmup_accesses, source.describe(), options.warmup_accesses - warmup_left));

  for (auto& s : schemes) {
    s->finish();
    result.schemes.push_back({s->name, s->stats});
  }
  result.guest_table_pages = machine.guest().table_memory().pages();
  result.host_table_pages = machine.hypervisor().host_tables().pages();
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return result;
}

}  // namespace hvsim
