// The engine: one machine and the schemes that share it. Events go in as spans; the machine
// prepares each prefix it can take whole (an event that changes existing translations starts a
// new one), every scheme consumes it (on worker threads), and with verification every access's
// answer is checked against the reference translation. The experiment loop, the tests and the
// benchmarks all drive this one loop.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/profile.h"
#include "common/scheme_stats.h"
#include "machine/machine.h"
#include "schemes/scheme.h"

namespace hvsim {

struct SimulationOptions {
  bool verify = false;
  // With verify: false counts disagreements (mismatches()) instead of stopping at the first.
  bool stop_on_mismatch = true;
  unsigned threads = 1;          // 0 = one per core
  size_t max_batch = 1 << 16;    // the largest prefix handed to the schemes at once
  uint64_t warmup_accesses = 0;  // simulated before measuring starts
  uint64_t epoch_accesses = 0;   // record every figure every this many measured accesses; 0 = never
};

// What every scheme measured over one stretch of the run.
struct Epoch {
  uint64_t first_access = 0;  // measured accesses before it
  uint64_t accesses = 0;
  std::vector<SchemeStats> schemes;  // priced, in the simulation's scheme order
};

// At most this many epochs are kept: beyond it, neighbours are merged pairwise (each then spans
// twice the accesses), so memory stays bounded however long a trace is.
inline constexpr size_t kMaxEpochs = 1024;

class SchemeWorkers;
class EventSource;

// Told how a run goes, every batch (on the simulating thread): a progress line, a budget check.
class SimulationObserver {
 public:
  virtual ~SimulationObserver() = default;
  // `events` have been simulated so far, warm-up included.
  virtual void on_progress(uint64_t events) = 0;
};

// One scheme instance of a Simulation and the profile it is built from (its TLB, page-walk-cache
// and cache geometry, its own keys, its costs). The profile must outlive the Simulation and agree
// with the machine's profile on everything the machine reads (paging depths, guest and host
// memory): schemes read those too, and only the machine's own are simulated.
struct SchemeUnit {
  std::string scheme;
  const Profile* profile;
};

// One unit per name, all built from `profile`.
std::vector<SchemeUnit> scheme_units(const Profile& profile, const std::vector<std::string>& schemes);

class Simulation {
 public:
  Simulation(const Profile& profile, MachineSizing sizing, const std::vector<std::string>& schemes,
             SimulationOptions options);
  // Several instances, possibly of the same scheme with different geometry, all fed the same
  // batches of one machine built from `machine_profile`: a sweep simulates each stream once.
  // (Units first, so a braced list of names still means the constructor above.)
  Simulation(std::span<const SchemeUnit> units, const Profile& machine_profile, MachineSizing sizing,
             SimulationOptions options);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Prepares and runs the longest prefix of `events` the machine takes whole (at most
  // max_batch); returns its length (at least 1 unless `events` is empty).
  size_t step(std::span<const Event> events);
  // Runs all of `events`.
  void run(std::span<const Event> events) {
    while (!events.empty()) events = events.subspan(step(events));
  }
  // Runs the whole stream of `source`, folding canonical addresses and refusing others (an
  // InputError naming the source and event); returns the events simulated, warm-up included.
  uint64_t run(EventSource& source, SimulationObserver* observer = nullptr);

  // Measuring starts now: what was counted so far is the warm-up. step() calls it when the
  // options' warm-up ends; call it directly to start measuring at another point.
  void begin_measurement();
  // Each scheme's figures since measuring began, priced; closes the last epoch. Call once after
  // the last event.
  std::vector<SchemeStats> finish();
  // Each scheme's figures since measuring began, priced, without closing an epoch.
  std::vector<SchemeStats> measured();
  bool in_warmup() const { return warmup_left_ > 0; }
  const std::vector<Epoch>& epochs() const { return epochs_; }

  Machine& machine() { return machine_; }
  const std::vector<std::unique_ptr<Scheme>>& schemes() const { return schemes_; }
  Scheme& scheme(size_t i) { return *schemes_[i]; }
  // Measured so far (since construction or begin_measurement()).
  uint64_t events() const { return events_; }
  uint64_t accesses() const { return accesses_; }
  uint64_t verified_accesses() const { return verified_; }
  uint64_t mismatches() const { return mismatches_; }

 private:
  void verify(std::span<const Event> events);
  size_t next_boundary(std::span<const Event> events) const;
  void after_step(uint64_t accesses);
  std::vector<SchemeStats> snapshot();
  void close_epoch();

  Machine machine_;
  SimulationOptions options_;
  std::vector<std::unique_ptr<Scheme>> schemes_;
  std::unique_ptr<SchemeWorkers> workers_;
  std::vector<CostTable> costs_;  // each scheme's prices, from its own profile
  BatchEffects fx_;
  std::vector<std::vector<HostPhysAddr>> outs_;
  uint64_t events_ = 0, accesses_ = 0, verified_ = 0, mismatches_ = 0;
  uint64_t warmup_left_;
  std::vector<SchemeStats> measured_from_;  // figures when measuring began
  std::vector<SchemeStats> epoch_from_;     // figures when the current epoch began
  uint64_t epoch_first_ = 0, epoch_length_ = 0;
  std::vector<Epoch> epochs_;
};

}  // namespace hvsim
