// The discrete-event model of paravirtual I/O (docs/io.md). Each guest has one vCPU core, one
// virtqueue (the index state of virtqueue.h) and one backend; the device side runs on I/O cores
// (a vhost-like worker per guest woken by kicks, K polling cores serving the guests round-robin,
// or the guest's own core inside the exit). Every cost is a key of [io]; exits, interrupts and
// wake-ups happen when the ring indexes say they must. Deterministic for a seed.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "common/random.h"
#include "io/event_queue.h"
#include "io/io_params.h"
#include "io/io_result.h"
#include "io/virtqueue.h"

namespace hvsim {

class IoSimulation {
 public:
  // Throws InputError for parameters that cannot run (check_io_params).
  explicit IoSimulation(const IoParams& params);
  IoResult run();

 private:
  static constexpr uint32_t kNoCore = ~0u;
  struct RequestTimes {  // ns; each stage's start (LatencyStage)
    double arrival = 0, posted = 0, device_start = 0, backend_start = 0, served = 0;
  };
  struct Guest {
    Virtqueue vq;
    Rng rng{1};
    uint32_t core = kNoCore;
    double free_at = 0;  // the vCPU is busy until then
    // Requests submitted and not yet reaped, oldest first: the ring serves, completes and reaps
    // in order (every request of a run has the same service time), so the first `posted`
    // entries have been published, the first `started` taken by the device side, the first
    // `served` completed by the backend.
    std::deque<RequestTimes> flight;
    uint32_t posted = 0, started = 0, served = 0;
    std::deque<double> backlog;  // open loop: arrivals waiting for ring space
    uint32_t posting = 0;        // submitted, not yet published
    uint32_t in_service = 0;     // at the backend
    uint32_t burst_left = 0;
    bool reap_scheduled = false;
    uint64_t completed = 0;
  };
  enum class CoreState : uint8_t { kSleeping, kRunning, kSpinning };
  struct Core {
    std::vector<uint32_t> guests;
    CoreState state = CoreState::kSleeping;
    size_t cursor = 0;
    uint32_t quantum_used = 0;
    double spin_since = 0, last_work = 0;
    uint64_t gen = 0, timeout_gen = 0;
    bool run_pending = false;
    double run_at = 0;
    double window_start = 0, last_rate = 0;
    uint64_t window_count = 0;
  };

  double cyc(double cycles) const { return cycles / p_.frequency_ghz; }
  double busy(Guest& g, double t, double ns, GuestTime what);
  void dispatch(const IoEvent& e);
  // Guest side (io_simulation.cpp).
  void start();
  void on_arrive(uint32_t g);
  void submit(uint32_t g, double t, double arrival);
  void on_post(uint32_t g);
  void on_irq(uint32_t g);
  void on_reap(uint32_t g);
  void on_reap_done(uint32_t g);
  void record(uint32_t g, const RequestTimes& times, double reaped);
  double interarrival(Guest& g);
  // Device side (io_device.cpp).
  void on_kick(uint32_t g);
  void on_exec_run(uint32_t c, uint64_t tag);
  void on_exec_timeout(uint32_t c, uint64_t tag);
  void on_backend_done(uint32_t g);
  void exec_step(Core& c, uint32_t index, double t);
  void go_idle(Core& c, uint32_t index, double t);
  bool wants_poll(Core& c, double t);
  void spin(Core& c, uint32_t index, double t);
  void schedule_run(Core& c, uint32_t index, double t);
  void wake(Core& c, uint32_t index, double t);
  void poke(uint32_t g, double t);
  // The device side starts the oldest published entry at `device_start` and hands it to the
  // backend at `t`.
  void start_backend(uint32_t g, double device_start, double t);
  bool serviceable(const Guest& g) const;
  double device_ns() const;
  bool exit_policy() const;

  IoParams p_;
  IoCoreModel model_;
  IoCompletion completion_;
  std::vector<Guest> guests_;
  std::vector<Core> cores_;
  IoEventQueue queue_;
  double now_ = 0;
  IoCounters c_, base_;
  bool measuring_ = false, done_ = false;
  double t_measure_ = 0;
  uint64_t completed_ = 0;
  std::vector<double> latency_;
  std::vector<uint64_t> guest_base_;
};

// Convenience: builds and runs one simulation.
IoResult simulate_io(const IoParams& params);

}  // namespace hvsim
