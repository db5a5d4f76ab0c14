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
#include "machine/machine.h"
#include "schemes/scheme.h"

namespace hvsim {

struct SimulationOptions {
  bool verify = false;
  // With verify: false counts disagreements (mismatches()) instead of stopping at the first.
  bool stop_on_mismatch = true;
  unsigned threads = 1;        // 0 = one per core
  size_t max_batch = 1 << 16;  // the largest prefix handed to the schemes at once
};

class SchemeWorkers;

class Simulation {
 public:
  Simulation(const Profile& profile, MachineSizing sizing, const std::vector<std::string>& schemes,
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

  // Forgets what was measured (after a warm-up), keeping every structure's state.
  void reset_stats();
  // Lets each scheme fill its details and prices what it counted; call once after the last event.
  void finish();

  Machine& machine() { return machine_; }
  const std::vector<std::unique_ptr<Scheme>>& schemes() const { return schemes_; }
  Scheme& scheme(size_t i) { return *schemes_[i]; }
  // Since construction or the last reset_stats().
  uint64_t events() const { return events_; }
  uint64_t accesses() const { return accesses_; }
  uint64_t verified_accesses() const { return verified_; }
  uint64_t mismatches() const { return mismatches_; }

 private:
  void verify(std::span<const Event> events);

  Machine machine_;
  SimulationOptions options_;
  std::vector<std::unique_ptr<Scheme>> schemes_;
  std::unique_ptr<SchemeWorkers> workers_;
  CostTable costs_;
  BatchEffects fx_;
  std::vector<std::vector<HostPhysAddr>> outs_;
  uint64_t events_ = 0, accesses_ = 0, verified_ = 0, mismatches_ = 0;
};

}  // namespace hvsim
