// The device side of the model: I/O cores consuming the avail rings, the backends, and the
// run loop.
#include <algorithm>
#include <cmath>

#include "io/io_simulation.h"

namespace hvsim {

double IoSimulation::device_ns() const {
  return cyc(p_.cfg.device_request_cycles + p_.cfg.device_byte_cycles * static_cast<double>(p_.size));
}

bool IoSimulation::serviceable(const Guest& g) const {
  return g.vq.pending() > 0 && g.in_service < p_.cfg.backend_depth;
}

void IoSimulation::start_backend(uint32_t g, double device_start, double t) {
  Guest& guest = guests_[g];
  guest.vq.consume();
  RequestTimes& times = guest.flight[guest.started++];
  times.device_start = device_start;
  times.backend_start = t;
  ++guest.in_service;
  const double service = p_.cfg.backend_request_ns + p_.cfg.backend_byte_ns * static_cast<double>(p_.size);
  queue_.push(t + service, IoEventKind::kBackendDone, g);
}

void IoSimulation::schedule_run(Core& c, uint32_t index, double t) {
  ++c.gen;
  c.run_pending = true;
  c.run_at = t;
  queue_.push(t, IoEventKind::kExecRun, index, c.gen);
}

// A sleeping worker is woken (an IPI-like cross-core wake-up, charged to the I/O core).
void IoSimulation::wake(Core& c, uint32_t index, double t) {
  ++c_.wakeups;
  c.state = CoreState::kRunning;
  const double w = cyc(p_.cfg.worker_wakeup_cycles);
  c_.core_ns[static_cast<size_t>(CoreTime::kWakeup)] += w;
  schedule_run(c, index, t + w);
}

void IoSimulation::spin(Core& c, uint32_t index, double t) {
  c.state = CoreState::kSpinning;
  c.spin_since = t;
  c.run_pending = false;
  for (uint32_t g : c.guests) guests_[g].vq.disable_kicks();
  if (p_.policy == IoPolicy::kHybrid || p_.policy == IoPolicy::kHybridRate) {
    const double until = p_.policy == IoPolicy::kHybrid ? c.last_work + p_.cfg.poll_window_ns
                                                        : c.window_start + p_.cfg.rate_window_ns;
    queue_.push(std::max(until, t), IoEventKind::kExecTimeout, index, ++c.timeout_gen);
  }
}

// Work appeared without a kick (posted with kicks suppressed, or a backend slot freed): a
// polling core sees it within half a round of ring checks on average.
void IoSimulation::poke(uint32_t g, double t) {
  if (model_ == IoCoreModel::kNone) return;
  Core& c = cores_[guests_[g].core];
  if (c.state != CoreState::kSpinning) return;
  const double detect = t + cyc(p_.cfg.poll_check_cycles) * static_cast<double>(c.guests.size()) / 2;
  if (!c.run_pending || c.run_at > detect) schedule_run(c, guests_[g].core, detect);
}

void IoSimulation::on_kick(uint32_t g) {
  Guest& guest = guests_[g];
  if (model_ == IoCoreModel::kNone) {
    // Handled inside the exit: consume if the backend has room; more wait for a completion.
    if (serviceable(guest)) start_backend(g, now_, now_);
    guest.vq.enable_kicks();
    return;
  }
  Core& c = cores_[guest.core];
  if (c.state == CoreState::kSleeping) wake(c, guest.core, now_);
}

void IoSimulation::on_exec_run(uint32_t index, uint64_t tag) {
  Core& c = cores_[index];
  if (tag != c.gen) return;
  c.run_pending = false;
  if (c.state == CoreState::kSpinning)
    c_.core_ns[static_cast<size_t>(CoreTime::kEmptyPoll)] += now_ - c.spin_since;
  c.state = CoreState::kRunning;
  exec_step(c, index, now_);
}

// One step of an I/O core: look at its guests' rings round-robin from the cursor; serve one
// request of the first with work (staying on it up to io.poll_quantum), or go idle.
void IoSimulation::exec_step(Core& c, uint32_t index, double t) {
  const size_t n = c.guests.size();
  const bool polling_core = model_ == IoCoreModel::kPoll;
  const double check = polling_core ? cyc(p_.cfg.poll_check_cycles) : 0;
  size_t looked = 0;
  for (; looked < n; ++looked)
    if (serviceable(guests_[c.guests[(c.cursor + looked) % n]])) break;
  const bool found = looked < n;
  c_.core_ns[static_cast<size_t>(CoreTime::kEmptyPoll)] += check * static_cast<double>(found ? looked : n);
  t += check * static_cast<double>(found ? looked : n);
  if (!found) {
    go_idle(c, index, t);
    return;
  }
  const size_t at = (c.cursor + looked) % n;
  const uint32_t g = c.guests[at];
  guests_[g].vq.disable_kicks();
  const double work = check + device_ns();
  c_.core_ns[static_cast<size_t>(CoreTime::kUseful)] += work;
  const double device_start = t;
  t += work;
  start_backend(g, device_start, t);
  c.last_work = t;
  ++c.window_count;
  if (at != c.cursor) c.quantum_used = 0;
  c.cursor = at;
  if (++c.quantum_used >= p_.cfg.poll_quantum || !serviceable(guests_[g])) {
    c.cursor = (at + 1) % n;
    c.quantum_used = 0;
  }
  schedule_run(c, index, t);
}

// hybrid: poll until io.poll_window_ns after the last request; hybrid-rate: while the last full
// window's rate per guest reaches io.poll_rate_threshold; exitless always; exit policies never.
bool IoSimulation::wants_poll(Core& c, double t) {
  switch (p_.policy) {
    case IoPolicy::kExitless:
      return true;
    case IoPolicy::kHybrid:
      return t < c.last_work + p_.cfg.poll_window_ns;
    case IoPolicy::kHybridRate: {
      const double w = p_.cfg.rate_window_ns;
      if (t >= c.window_start + w) {
        const double windows = std::floor((t - c.window_start) / w);
        const double counted = windows == 1 ? static_cast<double>(c.window_count) : 0;
        c.last_rate = counted / (w * 1e-9) / static_cast<double>(c.guests.size());
        c.window_start += windows * w;
        c.window_count = 0;
      }
      return c.last_rate >= p_.cfg.poll_rate_threshold;
    }
    default:
      return false;
  }
}

// Nothing to serve: poll on, or re-enable kicks on drained rings (looking once more, as
// vhost_enable_notify does) and sleep.
void IoSimulation::go_idle(Core& c, uint32_t index, double t) {
  if (wants_poll(c, t)) {
    spin(c, index, t);
    return;
  }
  bool raced = false;
  for (uint32_t g : c.guests) {
    Guest& guest = guests_[g];
    if (guest.vq.pending() == 0 && guest.vq.enable_kicks()) raced = true;
  }
  if (raced) {
    schedule_run(c, index, t);
    return;
  }
  c.state = CoreState::kSleeping;
}

void IoSimulation::on_exec_timeout(uint32_t index, uint64_t tag) {
  Core& c = cores_[index];
  if (tag != c.timeout_gen || c.state != CoreState::kSpinning || c.run_pending) return;
  c_.core_ns[static_cast<size_t>(CoreTime::kEmptyPoll)] += now_ - c.spin_since;
  c.state = CoreState::kRunning;
  go_idle(c, index, now_);
}

// The backend finished: publish the completion, signal the guest if the ring says so, and let
// the device side go on with entries waiting for the backend.
void IoSimulation::on_backend_done(uint32_t g) {
  Guest& guest = guests_[g];
  --guest.in_service;
  guest.vq.complete();
  guest.flight[guest.served++].served = now_;
  if (completion_ == IoCompletion::kPoll) {
    if (!guest.reap_scheduled) {
      guest.reap_scheduled = true;
      queue_.push(std::max(now_ + p_.cfg.guest_poll_detect_ns, guest.free_at), IoEventKind::kReap, g);
    }
  } else if (guest.vq.need_interrupt()) {
    queue_.push(now_, IoEventKind::kIrq, g);
  }
  if (model_ == IoCoreModel::kNone) {
    if (serviceable(guest)) start_backend(g, now_, now_);
    guest.vq.enable_kicks();
    return;
  }
  Core& c = cores_[guest.core];
  if (c.state == CoreState::kSleeping) {
    // The backend wakes a worker that left entries waiting (vhost: socket write space); a
    // drained ring gets kicks back on instead.
    if (guest.vq.pending() > 0 || guest.vq.enable_kicks()) wake(c, guest.core, now_);
  } else if (guest.vq.pending() > 0) {
    poke(g, now_);
  }
}

void IoSimulation::dispatch(const IoEvent& e) {
  switch (e.kind) {
    case IoEventKind::kArrive:
      return on_arrive(e.target);
    case IoEventKind::kPost:
      return on_post(e.target);
    case IoEventKind::kKick:
      return on_kick(e.target);
    case IoEventKind::kExecRun:
      return on_exec_run(e.target, e.tag);
    case IoEventKind::kExecTimeout:
      return on_exec_timeout(e.target, e.tag);
    case IoEventKind::kBackendDone:
      return on_backend_done(e.target);
    case IoEventKind::kIrq:
      return on_irq(e.target);
    case IoEventKind::kReap:
      return on_reap(e.target);
    case IoEventKind::kReapDone:
      return on_reap_done(e.target);
  }
}

IoResult IoSimulation::run() {
  start();
  if (p_.warmup == 0) measuring_ = true;
  uint64_t events = 0;
  while (!done_ && !queue_.empty()) {
    const IoEvent e = queue_.pop();
    now_ = e.time;
    dispatch(e);
    ++events;
  }
  for (Core& c : cores_)
    if (c.state == CoreState::kSpinning)
      c_.core_ns[static_cast<size_t>(CoreTime::kEmptyPoll)] += now_ - c.spin_since;
  IoResult r;
  r.params = p_;
  r.core_model = model_;
  r.completion = completion_;
  r.io_cores = static_cast<uint32_t>(cores_.size());
  r.elapsed_ns = now_ - t_measure_;
  r.events = events;
  IoCounters& m = r.counts;
  m.completed = c_.completed - base_.completed;
  for (size_t i = 0; i < m.exits.size(); ++i) m.exits[i] = c_.exits[i] - base_.exits[i];
  m.notifications = c_.notifications - base_.notifications;
  m.interrupts = c_.interrupts - base_.interrupts;
  m.wakeups = c_.wakeups - base_.wakeups;
  for (size_t i = 0; i < m.stage_ns.size(); ++i) m.stage_ns[i] = c_.stage_ns[i] - base_.stage_ns[i];
  double guest_busy = 0, core_busy = 0;
  for (size_t i = 0; i < m.guest_ns.size(); ++i)
    guest_busy += m.guest_ns[i] = c_.guest_ns[i] - base_.guest_ns[i];
  for (size_t i = 0; i < m.core_ns.size(); ++i) core_busy += m.core_ns[i] = c_.core_ns[i] - base_.core_ns[i];
  const double guest_idle = std::max(0.0, r.elapsed_ns * p_.guests - guest_busy);
  m.guest_ns[static_cast<size_t>(completion_ == IoCompletion::kPoll ? GuestTime::kPolling
                                                                    : GuestTime::kHalted)] += guest_idle;
  m.core_ns[static_cast<size_t>(CoreTime::kSleeping)] = std::max(0.0, r.elapsed_ns * r.io_cores - core_busy);
  r.latency_ns = std::move(latency_);
  for (uint32_t i = 0; i < p_.guests; ++i) r.guest_completed.push_back(guests_[i].completed - guest_base_[i]);
  return r;
}

}  // namespace hvsim
