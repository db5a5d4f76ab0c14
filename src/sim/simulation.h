// The engine: the machines and the schemes that share them. Events go in as spans; each machine
// prepares the prefix it can take whole (an event that changes existing translations starts a
// new one), every scheme consumes it (on worker threads), and with verification every access's
// answer is checked against the reference translation. Schemes that need another machine layout
// than the profile's (schemes/scheme_layout.h) get a machine of their own, fed the same events.
// The experiment loop, the tests and the benchmarks all drive this one loop.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/profile.h"
#include "common/scheme_stats.h"
#include "machine/machine.h"
#include "schemes/scheme.h"
#include "schemes/scheme_layout.h"
#include "sim/warmup.h"

namespace hvsim {

class SchemeWorkers;

struct SimulationOptions {
  bool verify = false;
  // With verify: false counts disagreements (mismatches()) instead of stopping at the first.
  bool stop_on_mismatch = true;
  unsigned threads = 1;          // 0 = one per core
  size_t max_batch = 1 << 16;    // the largest prefix handed to the schemes at once
  uint64_t warmup_accesses = 0;  // simulated before measuring starts
  bool warmup_auto = false;      // instead: until the first-touch phase is over (sim/warmup.h)
  AutoWarmupRule auto_warmup;
  uint64_t epoch_accesses = 0;    // record every figure every this many measured accesses; 0 = never
  uint64_t measure_accesses = 0;  // stop once this many are measured; 0 = the whole stream
};

// One machine of a Simulation, on one layout (schemes/scheme_layout.h), and its batch's effects.
struct LayoutMachine {
  LayoutMachine(const Profile& p, MachineSizing sizing)
      : profile(p), machine(profile, sizing), shape(layout_of(profile)), layout(describe_layout(profile)) {}
  Profile profile;  // the machine profile with the layout applied
  Machine machine;
  BatchEffects fx;
  MachineLayout shape;  // layout_of(profile), read once
  std::string layout;   // describe_layout(profile)
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

  // Runs all of `events` (or until done()).
  void run(std::span<const Event> events) {
    for (size_t n; !events.empty() && (n = step(events)) > 0;) events = events.subspan(n);
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
  bool in_warmup() const { return warmup_left_ > 0 || (auto_ && !measuring_); }
  // Measured every access options.measure_accesses asked for: step() takes no more.
  bool done() const {
    return measuring_ && options_.measure_accesses && accesses_ >= options_.measure_accesses;
  }
  // The warm-up that was simulated (accesses), and with --warmup auto why it ended.
  uint64_t warmup_accesses() const { return warmup_done_; }
  const std::string& warmup_reason() const { return warmup_reason_; }
  const std::vector<Epoch>& epochs() const { return epochs_; }

  // The leading machine (the profile's own layout when a scheme runs on it); every machine; a
  // scheme's machine.
  Machine& machine() { return machines_[0]->machine; }
  const std::vector<std::unique_ptr<LayoutMachine>>& machines() const { return machines_; }
  LayoutMachine& machine_of(size_t scheme) { return *machines_[machine_of_[scheme]]; }
  const std::vector<std::unique_ptr<Scheme>>& schemes() const { return schemes_; }
  Scheme& scheme(size_t i) { return *schemes_[i]; }
  // Measured so far (since construction or begin_measurement()).
  uint64_t events() const { return events_; }
  uint64_t accesses() const { return accesses_; }
  uint64_t verified_accesses() const { return verified_; }
  uint64_t mismatches() const { return mismatches_; }
  // Events screened ahead by all machines together, since construction (machine/access_screen.h).
  uint64_t screened_events() const { return screened_; }

 private:
  // Prepares and runs the longest prefix of `events` the machines take whole (at most
  // max_batch); returns its length (at least 1 unless `events` is empty or done()). Each call's
  // `events` start right after the prefix the previous call took: while the schemes run this
  // prefix, the machines screen the events after it (machine/access_screen.h).
  size_t step(std::span<const Event> events);
  std::span<const Event> screen_span(std::span<const Event> rest, size_t n) const;
  void add_scheme(const SchemeUnit& unit, const Profile& machine_profile, MachineSizing sizing);
  void lead_with_own_layout(const MachineLayout& own);
  void verify(size_t machine, std::span<const Event> events, size_t at);
  void settle_verification(std::span<const Event> batch);
  uint64_t accesses_to_boundary() const;
  void after_step(uint64_t accesses, uint64_t first_touches);
  std::vector<SchemeStats> snapshot();
  void close_epoch();

  SimulationOptions options_;
  std::vector<std::unique_ptr<LayoutMachine>> machines_;
  std::vector<size_t> machine_of_;                  // per scheme
  std::vector<std::unique_ptr<Profile>> profiles_;  // schemes' profiles with their layout applied
  std::vector<std::unique_ptr<Scheme>> schemes_;
  std::unique_ptr<SchemeWorkers> workers_;
  std::vector<CostTable> costs_;               // each scheme's prices, from its own profile
  std::vector<std::span<const Event>> spans_;  // per machine: the events its schemes take next
  std::vector<size_t> at_;                     // per machine: how much of the batch it has taken
  std::vector<AccessScreen> screens_;          // per machine: of the events after this batch
  uint64_t position_ = 0;                      // events stepped since construction
  uint64_t screened_ = 0;
  std::vector<std::vector<HostPhysAddr>> outs_;
  // With verify: per event of the batch, whether every scheme agreed; per machine and event, the
  // reference guest-physical address (kNoGuestFrame: a fault).
  static constexpr uint64_t kNoGuestFrame = ~uint64_t{0};
  std::vector<uint8_t> agree_;
  std::vector<std::vector<uint64_t>> guest_frames_;
  uint64_t events_ = 0, accesses_ = 0, verified_ = 0, mismatches_ = 0;
  uint64_t warmup_left_;
  std::optional<AutoWarmup> auto_;
  bool measuring_ = false;  // the warm-up is over (or there is none)
  uint64_t warmup_done_ = 0;
  std::string warmup_reason_;
  std::vector<SchemeStats> measured_from_;  // figures when measuring began
  std::vector<SchemeStats> epoch_from_;     // figures when the current epoch began
  uint64_t epoch_first_ = 0, epoch_length_ = 0;
  std::vector<Epoch> epochs_;
};

}  // namespace hvsim
