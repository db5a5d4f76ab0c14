#include "sim/simulation.h"

#include <fmt/format.h>

#include <atomic>
#include <barrier>
#include <exception>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "sim/measurement.h"

namespace hvsim {

// Runs the schemes of every batch on `threads` threads: the calling thread and threads - 1
// workers take schemes one at a time from a shared counter until none is left, so a slow scheme
// does not hold up a thread that has finished its share. The calling thread works too: a thread
// waiting at the barrier would spin on a core a scheme could use.
class SchemeWorkers {
 public:
  SchemeWorkers(std::vector<std::unique_ptr<Scheme>>& schemes, unsigned threads)
      : schemes_(schemes),
        threads_(std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(schemes.size())))),
        start_(threads_),
        done_(threads_) {
    for (unsigned t = 1; t < threads_; ++t) workers_.emplace_back([this] { loop(); });
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
      for (size_t s = 0; s < schemes_.size(); ++s) run_scheme(s);
    } else {
      next_.store(0, std::memory_order_relaxed);
      start_.arrive_and_wait();
      take_schemes();
      done_.arrive_and_wait();
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr size_t kInlineBatch = 512;

  void run_scheme(size_t s) { schemes_[s]->run(events_, *fx_, outs_ ? (*outs_)[s].data() : nullptr); }
  // Runs schemes until every one has had this batch; an error stops this thread's share and is
  // rethrown by run() once all threads are done.
  void take_schemes() {
    try {
      for (size_t s; (s = next_.fetch_add(1, std::memory_order_relaxed)) < schemes_.size();) run_scheme(s);
    } catch (...) {
      std::lock_guard lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
  void loop() {
    for (;;) {
      start_.arrive_and_wait();
      if (stop_) return;
      take_schemes();
      done_.arrive_and_wait();
    }
  }

  std::vector<std::unique_ptr<Scheme>>& schemes_;
  unsigned threads_;
  std::barrier<> start_, done_;
  std::vector<std::thread> workers_;
  std::atomic<size_t> next_{0};
  std::span<const Event> events_;
  const BatchEffects* fx_ = nullptr;
  std::vector<std::vector<HostPhysAddr>>* outs_ = nullptr;
  bool stop_ = false;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

namespace {
std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }
}  // namespace

std::vector<SchemeUnit> scheme_units(const Profile& profile, const std::vector<std::string>& schemes) {
  std::vector<SchemeUnit> units;
  for (const auto& name : schemes) units.push_back({name, &profile});
  return units;
}

Simulation::Simulation(const Profile& profile, MachineSizing sizing, const std::vector<std::string>& schemes,
                       SimulationOptions options)
    : Simulation(scheme_units(profile, schemes), profile, sizing, options) {}

Simulation::Simulation(std::span<const SchemeUnit> units, const Profile& machine_profile,
                       MachineSizing sizing, SimulationOptions options)
    : machine_(machine_profile, sizing),
      options_(options),
      warmup_left_(options.warmup_accesses),
      epoch_length_(options.epoch_accesses) {
  for (const auto& unit : units) {
    auto* entry = SchemeRegistry::instance().find(unit.scheme);
    if (!entry) throw InputError(fmt::format("unknown scheme '{}'", unit.scheme));
    SchemeContext ctx{*unit.profile, machine_};
    auto s = entry->factory(ctx);
    s->name = unit.scheme;
    schemes_.push_back(std::move(s));
    costs_.push_back(unit.profile->costs);
  }
  unsigned threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  workers_ = std::make_unique<SchemeWorkers>(schemes_, threads);
  if (options_.verify) outs_.assign(schemes_.size(), std::vector<HostPhysAddr>(options_.max_batch));
  measured_from_ = epoch_from_ = snapshot();
}

Simulation::~Simulation() = default;

size_t Simulation::step(std::span<const Event> events) {
  if (events.empty()) return 0;
  const size_t offer = std::min(next_boundary(events), options_.max_batch);
  const size_t n = machine_.prepare(events.first(offer), fx_);
  std::span<const Event> batch = events.first(n);
  workers_->run(batch, fx_, options_.verify ? &outs_ : nullptr);
  uint64_t accesses = 0;
  for (const Event& e : batch) accesses += is_access(e.kind);
  if (options_.verify) verify(batch);
  events_ += n;
  after_step(accesses);
  return n;
}

// A batch never straddles the end of the warm-up or of an epoch, which is right after its last
// access, so figures are taken exactly there.
size_t Simulation::next_boundary(std::span<const Event> events) const {
  uint64_t limit;
  if (warmup_left_)
    limit = warmup_left_;
  else if (epoch_length_)
    limit = epoch_first_ + epoch_length_ - accesses_;
  else
    return events.size();
  uint64_t acc = 0;
  size_t offer = 0;
  while (offer < events.size())
    if (is_access(events[offer++].kind) && ++acc == limit) break;
  return offer;
}

void Simulation::after_step(uint64_t accesses) {
  accesses_ += accesses;
  if (warmup_left_) {
    warmup_left_ -= std::min(warmup_left_, accesses);
    if (warmup_left_ == 0) begin_measurement();
    return;
  }
  if (epoch_length_ && accesses_ == epoch_first_ + epoch_length_) close_epoch();
}

std::vector<SchemeStats> Simulation::snapshot() {
  std::vector<SchemeStats> now;
  for (auto& s : schemes_) {
    s->finish();  // the scheme's own figures, from its counters
    now.push_back(s->stats);
  }
  return now;
}

void Simulation::begin_measurement() {
  warmup_left_ = 0;
  measured_from_ = epoch_from_ = snapshot();
  epochs_.clear();
  epoch_first_ = 0;
  epoch_length_ = options_.epoch_accesses;
  events_ = accesses_ = verified_ = mismatches_ = 0;
}

void Simulation::close_epoch() {
  std::vector<SchemeStats> now = snapshot();
  Epoch e{epoch_first_, accesses_ - epoch_first_, {}};
  for (size_t i = 0; i < now.size(); ++i) {
    e.schemes.push_back(stats_between(epoch_from_[i], now[i]));
    e.schemes.back().price(costs_[i]);
  }
  epochs_.push_back(std::move(e));
  epoch_from_ = std::move(now);
  epoch_first_ = accesses_;
  if (epochs_.size() < kMaxEpochs) return;
  std::vector<Epoch> merged;
  for (size_t k = 0; k + 1 < epochs_.size(); k += 2) {
    Epoch m = std::move(epochs_[k]);
    m.accesses += epochs_[k + 1].accesses;
    for (size_t i = 0; i < m.schemes.size(); ++i) {
      append_stats(m.schemes[i], epochs_[k + 1].schemes[i]);
      m.schemes[i].price(costs_[i]);
    }
    merged.push_back(std::move(m));
  }
  epochs_ = std::move(merged);
  epoch_length_ *= 2;
}

void Simulation::verify(std::span<const Event> events) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (!is_access(events[i].kind)) continue;
    auto ref = machine_.reference_translate(events[i].pid, GuestVirtAddr(events[i].addr));
    bool agree = true;
    for (size_t s = 0; s < schemes_.size(); ++s) {
      if (ref && outs_[s][i] == *ref) continue;
      agree = false;
      if (!options_.stop_on_mismatch) continue;
      throw SimulationError(
          fmt::format("--verify: scheme '{}' translated access {} (pid {}, guest-virtual {}) to "
                      "host-physical {}, expected {}",
                      schemes_[s]->name, events_ + i, events[i].pid, hex(events[i].addr),
                      hex(outs_[s][i].value), ref ? hex(ref->value) : "a fault"));
    }
    if (agree)
      ++verified_;
    else
      ++mismatches_;
  }
}

std::vector<SchemeStats> Simulation::finish() {
  if (epoch_length_ && accesses_ > epoch_first_) close_epoch();  // the last, shorter one
  return measured();
}

std::vector<SchemeStats> Simulation::measured() {
  std::vector<SchemeStats> now = snapshot(), out;
  for (size_t i = 0; i < now.size(); ++i) {
    out.push_back(stats_between(measured_from_[i], now[i]));
    out.back().price(costs_[i]);
  }
  return out;
}

}  // namespace hvsim
