#include "io/io_simulation.h"

#include <algorithm>
#include <cmath>

namespace hvsim {

IoSimulation::IoSimulation(const IoParams& params) : p_(params) {
  check_io_params(p_);
  model_ = resolved_core_model(p_);
  completion_ = resolved_completion(p_);
  guests_.resize(p_.guests);
  if (model_ == IoCoreModel::kVhost) cores_.resize(p_.guests);
  if (model_ == IoCoreModel::kPoll) cores_.resize(p_.io_cores);
  for (uint32_t g = 0; g < p_.guests; ++g) {
    Guest& guest = guests_[g];
    guest.vq.size = static_cast<uint16_t>(std::min<uint32_t>(p_.cfg.queue_size, 32768));
    guest.vq.event_idx = p_.policy == IoPolicy::kExitEventIdx;
    guest.rng = Rng(p_.seed * 0x9E3779B97F4A7C15ull + g + 1);
    if (!cores_.empty()) {
      guest.core = g % static_cast<uint32_t>(cores_.size());
      cores_[guest.core].guests.push_back(g);
    }
    if (completion_ == IoCompletion::kPoll) guest.vq.disable_interrupts();
  }
  guest_base_.assign(p_.guests, 0);
}

bool IoSimulation::exit_policy() const {
  return p_.policy == IoPolicy::kExit || p_.policy == IoPolicy::kExitEventIdx;
}

double IoSimulation::busy(Guest& g, double t, double ns, GuestTime what) {
  const double start = std::max(t, g.free_at);
  g.free_at = start + ns;
  c_.guest_ns[static_cast<size_t>(what)] += ns;
  return g.free_at;
}

// Open loop: exponential (Poisson), fixed, or bursts of io.burst_size at a Poisson burst rate.
double IoSimulation::interarrival(Guest& g) {
  const double mean = 1e9 / p_.load.rate;
  switch (p_.load.arrival) {
    case IoArrival::kConstant:
      return mean;
    case IoArrival::kBursty:
      if (g.burst_left > 0) {
        --g.burst_left;
        return 0;
      }
      g.burst_left = p_.cfg.burst_size - 1;
      return -std::log1p(-g.rng.unit()) * mean * p_.cfg.burst_size;
    case IoArrival::kPoisson:
      break;
  }
  return -std::log1p(-g.rng.unit()) * mean;
}

void IoSimulation::start() {
  for (uint32_t i = 0; i < cores_.size(); ++i) {
    Core& c = cores_[i];
    if (exit_policy()) continue;  // asleep, kicks enabled
    spin(c, i, 0);
  }
  for (uint32_t g = 0; g < p_.guests; ++g) {
    Guest& guest = guests_[g];
    // Guests start apart (within 1 us) so they do not move in lockstep.
    const double offset = guest.rng.unit() * 1000.0;
    if (p_.load.closed) {
      for (uint32_t k = 0; k < p_.load.outstanding; ++k) queue_.push(offset, IoEventKind::kArrive, g);
    } else {
      queue_.push(offset + interarrival(guest), IoEventKind::kArrive, g);
    }
  }
}

void IoSimulation::on_arrive(uint32_t g) {
  Guest& guest = guests_[g];
  if (!p_.load.closed) queue_.push(now_ + interarrival(guest), IoEventKind::kArrive, g);
  if (guest.vq.in_ring() + guest.posting >= guest.vq.size) {
    guest.backlog.push_back(now_);
    return;
  }
  submit(g, now_, now_);
}

void IoSimulation::submit(uint32_t g, double t, double arrival) {
  Guest& guest = guests_[g];
  guest.flight.push_back({.arrival = arrival});
  ++guest.posting;
  queue_.push(busy(guest, t, cyc(p_.cfg.guest_submit_cycles), GuestTime::kUseful), IoEventKind::kPost, g);
}

// The driver publishes the entry; the ring says whether the device wants a kick. A kick is a
// PIO/MMIO exit: to an ioeventfd in the kernel with an I/O core, handled in user space on this
// core (device work included) without one.
void IoSimulation::on_post(uint32_t g) {
  Guest& guest = guests_[g];
  --guest.posting;
  guest.flight[guest.posted++].posted = now_;
  if (!guest.vq.post()) {
    poke(g, now_);
    return;
  }
  ++c_.notifications;
  ++c_.exits[static_cast<size_t>(IoExit::kKick)];
  const bool inline_device = model_ == IoCoreModel::kNone;
  const double direct =
      inline_device ? cyc(p_.cfg.user_exit_cycles) + device_ns() : cyc(p_.cfg.kick_exit_cycles);
  const double t = busy(guest, now_, direct, GuestTime::kExitDirect);
  busy(guest, t, cyc(p_.cfg.exit_indirect_cycles), GuestTime::kExitIndirect);
  queue_.push(inline_device ? t : now_ + cyc(p_.cfg.kick_signal_cycles), IoEventKind::kKick, g);
}

// A completion interrupt reaches the vCPU: wake it if halted (halt polling may catch it), inject
// (an exit if it is running and delivery is not exitless), run the handler, EOI (an exit without
// APICv), then let the driver reap.
void IoSimulation::on_irq(uint32_t g) {
  Guest& guest = guests_[g];
  const IoConfig& k = p_.cfg;
  const bool injected = completion_ == IoCompletion::kInterrupt;
  guest.vq.disable_interrupts();
  ++c_.interrupts;
  double t = now_;
  if (guest.free_at <= now_) {
    const double idle = now_ - guest.free_at;
    t += idle <= k.halt_poll_ns ? k.halt_poll_wake_ns : k.halt_wakeup_ns;
    ++c_.exits[static_cast<size_t>(IoExit::kHalt)];
    t = busy(guest, t, cyc(k.halt_exit_cycles), GuestTime::kExitDirect);
  } else if (injected) {
    ++c_.exits[static_cast<size_t>(IoExit::kIrq)];
    t = busy(guest, t, cyc(k.exit_indirect_cycles), GuestTime::kExitIndirect);
  }
  if (injected) t = busy(guest, t, cyc(k.irq_inject_cycles), GuestTime::kInterrupt);
  t = busy(guest, t, cyc(k.irq_handler_cycles), GuestTime::kInterrupt);
  if (injected && k.eoi_exits) {
    ++c_.exits[static_cast<size_t>(IoExit::kEoi)];
    t = busy(guest, t, cyc(k.eoi_exit_cycles), GuestTime::kExitDirect);
    t = busy(guest, t, cyc(k.exit_indirect_cycles), GuestTime::kExitIndirect);
  }
  if (!guest.reap_scheduled) {
    guest.reap_scheduled = true;
    queue_.push(t, IoEventKind::kReap, g);
  }
}

void IoSimulation::on_reap(uint32_t g) {
  Guest& guest = guests_[g];
  guest.reap_scheduled = false;
  double t = now_;
  while (guest.vq.unreaped() && !done_) {
    guest.vq.reap();
    t = busy(guest, t, cyc(p_.cfg.guest_complete_cycles), GuestTime::kUseful);
    const RequestTimes times = guest.flight.front();
    guest.flight.pop_front();
    --guest.posted;
    --guest.started;
    --guest.served;
    record(g, times, t);
    if (p_.load.closed) {
      // Think times are exponential: deterministic ones lock the requests of a loop into step.
      const double think = p_.load.think_ns > 0 ? -std::log1p(-guest.rng.unit()) * p_.load.think_ns : 0;
      queue_.push(t + think, IoEventKind::kArrive, g);
    } else if (!guest.backlog.empty()) {
      submit(g, t, guest.backlog.front());
      guest.backlog.pop_front();
    }
  }
  queue_.push(t, IoEventKind::kReapDone, g);
}

void IoSimulation::on_reap_done(uint32_t g) {
  Guest& guest = guests_[g];
  if (completion_ == IoCompletion::kPoll) {
    if (guest.vq.unreaped() && !guest.reap_scheduled) {
      guest.reap_scheduled = true;
      queue_.push(now_ + p_.cfg.guest_poll_detect_ns, IoEventKind::kReap, g);
    }
    return;
  }
  // Completions that came while interrupts were off were not signalled: look again.
  if (guest.vq.enable_interrupts() && !guest.reap_scheduled) {
    guest.reap_scheduled = true;
    queue_.push(now_, IoEventKind::kReap, g);
  }
}

void IoSimulation::record(uint32_t g, const RequestTimes& times, double reaped) {
  ++completed_;
  ++guests_[g].completed;
  if (measuring_) {
    ++c_.completed;
    latency_.push_back(reaped - times.arrival);
    const double starts[] = {times.arrival,       times.posted, times.device_start,
                             times.backend_start, times.served, reaped};
    for (size_t s = 0; s < c_.stage_ns.size(); ++s) c_.stage_ns[s] += starts[s + 1] - starts[s];
    if (c_.completed - base_.completed >= p_.requests) done_ = true;
    return;
  }
  if (completed_ >= p_.warmup) {
    // Measuring starts: open spins are accounted up to here, then every counter is a baseline.
    for (Core& c : cores_)
      if (c.state == CoreState::kSpinning) {
        c_.core_ns[static_cast<size_t>(CoreTime::kEmptyPoll)] += now_ - c.spin_since;
        c.spin_since = now_;
      }
    measuring_ = true;
    t_measure_ = now_;
    base_ = c_;
    for (uint32_t i = 0; i < p_.guests; ++i) guest_base_[i] = guests_[i].completed;
  }
}

IoResult simulate_io(const IoParams& params) { return IoSimulation(params).run(); }

}  // namespace hvsim
