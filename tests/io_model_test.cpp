// The paravirtual I/O model (src/io/): ring arithmetic, event order, determinism, queueing laws,
// and that exits come out of the ring indexes.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "io/event_queue.h"
#include "io/io_simulation.h"
#include "io/virtqueue.h"

namespace hvsim {
namespace {

uint64_t exits(const IoResult& r, IoExit e) { return r.counts.exits[static_cast<size_t>(e)]; }
double per_request(const IoResult& r, uint64_t n) {
  return static_cast<double>(n) / static_cast<double>(r.counts.completed);
}

// Every guest-side and device-side cost zero except the backend's: a pure queue.
IoParams pure_queue(double service_ns) {
  IoParams p;
  p.policy = IoPolicy::kExitless;
  IoConfig& c = p.cfg;
  c.guest_submit_cycles = c.guest_complete_cycles = c.irq_handler_cycles = c.halt_exit_cycles = 0;
  c.halt_wakeup_ns = c.halt_poll_wake_ns = c.poll_check_cycles = c.device_request_cycles = 0;
  c.device_byte_cycles = c.backend_byte_ns = 0;
  c.backend_request_ns = service_ns;
  c.queue_size = 32768;
  return p;
}

TEST(IoVirtqueue, NeedEventIsTheLinuxArithmetic) {
  EXPECT_TRUE(vring_need_event(0, 1, 0));  // the device asked to hear about entry 0
  EXPECT_TRUE(vring_need_event(6, 7, 6));
  EXPECT_FALSE(vring_need_event(5, 7, 6));         // already passed: suppressed
  EXPECT_TRUE(vring_need_event(5, 9, 3));          // a batch that crossed the event
  EXPECT_TRUE(vring_need_event(65535, 1, 65534));  // across the 16-bit wrap
  EXPECT_FALSE(vring_need_event(65533, 1, 65534));
}

TEST(IoVirtqueue, FlagsAndEventIdxSuppressKicks) {
  Virtqueue flags;
  EXPECT_TRUE(flags.post());
  flags.disable_kicks();
  EXPECT_FALSE(flags.post());
  flags.consume();
  flags.consume();
  EXPECT_FALSE(flags.enable_kicks());  // drained: nothing raced in
  EXPECT_TRUE(flags.post());

  Virtqueue ev;
  ev.event_idx = true;
  EXPECT_TRUE(ev.post());   // avail_event 0: the first entry kicks
  EXPECT_FALSE(ev.post());  // the device has not moved avail_event: no kick
  ev.consume();
  ev.consume();
  EXPECT_FALSE(ev.enable_kicks());
  EXPECT_TRUE(ev.post());
}

TEST(IoVirtqueue, InterruptSuppressionWithEventIdx) {
  Virtqueue q;
  q.event_idx = true;
  q.post();
  q.post();
  q.consume();
  q.complete();
  EXPECT_TRUE(q.need_interrupt());  // used_event 0
  q.consume();
  q.complete();
  EXPECT_FALSE(q.need_interrupt());  // the driver has not re-armed
  q.reap();
  EXPECT_TRUE(q.enable_interrupts());  // one completion came meanwhile
}

TEST(IoEventQueue, OrdersByTimeThenScheduling) {
  IoEventQueue q;
  q.push(5, IoEventKind::kPost, 1);
  q.push(3, IoEventKind::kArrive, 2);
  q.push(5, IoEventKind::kKick, 3);
  q.push(3, IoEventKind::kIrq, 4);
  std::vector<uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().target);
  EXPECT_EQ(order, (std::vector<uint32_t>{2, 4, 1, 3}));
}

TEST(IoModel, DeterministicBySeed) {
  IoParams p;
  p.guests = 3;
  p.policy = IoPolicy::kHybrid;
  p.load.closed = false;
  p.load.rate = 50000;
  p.requests = 20000;
  const IoResult a = simulate_io(p), b = simulate_io(p);
  EXPECT_EQ(a.latency_ns, b.latency_ns);
  EXPECT_EQ(a.counts.exits, b.counts.exits);
  EXPECT_EQ(a.events, b.events);
  p.seed = 2;
  const IoResult c = simulate_io(p);
  EXPECT_NE(a.latency_ns, c.latency_ns);
}

// N = X (R + Z) for each closed loop: throughput times the cycle time is the population.
TEST(IoModel, LittlesLawHoldsForClosedLoops) {
  for (IoPolicy policy : {IoPolicy::kExit, IoPolicy::kExitEventIdx, IoPolicy::kExitless}) {
    IoParams p;
    p.guests = 2;
    p.policy = policy;
    p.load.outstanding = 4;
    p.load.think_ns = 3000;
    p.requests = 100000;
    p.warmup = 5000;
    const IoResult r = simulate_io(p);
    const double x = static_cast<double>(r.counts.completed) / r.elapsed_ns;  // per ns
    const double n = x * (r.latency_mean() + p.load.think_ns);
    EXPECT_NEAR(n, 8.0, 8.0 * 0.01) << io_policy_name(policy);
  }
}

// Poisson arrivals at a deterministic server: M/D/1, mean response D + rho D / (2 (1 - rho)).
TEST(IoModel, SingleServerMatchesMD1) {
  for (double rho : {0.3, 0.5, 0.8}) {
    const double d = 1000;
    IoParams p = pure_queue(d);
    p.load.closed = false;
    p.load.rate = rho / d * 1e9;
    p.requests = 400000;
    p.warmup = 10000;
    const IoResult r = simulate_io(p);
    const double expected = d + rho * d / (2 * (1 - rho));
    EXPECT_NEAR(r.latency_mean(), expected, expected * 0.03) << "rho " << rho;
    const double util = static_cast<double>(r.counts.completed) * d / r.elapsed_ns;
    EXPECT_NEAR(util, rho, 0.02);
  }
}

double stage(const IoResult& r, LatencyStage s) {
  return r.counts.stage_ns[static_cast<size_t>(s)] / static_cast<double>(r.counts.completed);
}

// The latency stages add up to the latency, on every policy and core model, under load.
TEST(IoModel, LatencyStagesAddUpToTheLatency) {
  for (IoPolicy policy : {IoPolicy::kExit, IoPolicy::kExitEventIdx, IoPolicy::kExitless, IoPolicy::kHybrid}) {
    for (IoCoreModel model : {IoCoreModel::kAuto, IoCoreModel::kNone}) {
      if (model == IoCoreModel::kNone && policy != IoPolicy::kExit) continue;
      IoParams p;
      p.guests = 3;
      p.policy = policy;
      p.core_model = model;
      p.load.outstanding = 6;
      p.requests = 30000;
      p.warmup = 1000;
      const IoResult r = simulate_io(p);
      double sum = 0;
      for (double ns : r.counts.stage_ns) sum += ns;
      EXPECT_NEAR(sum / static_cast<double>(r.counts.completed), r.latency_mean(), 1e-6 * r.latency_mean())
          << io_policy_name(policy);
      for (double ns : r.counts.stage_ns) EXPECT_GE(ns, 0.0);
    }
  }
}

// One outstanding request, nothing else running: each stage is the sum of the costs on its path
// (docs/io.md, E2), and exitless replaces the kick, signal and wake-up by half a ring check.
TEST(IoModel, OneOutstandingRequestStagesAreThePathCosts) {
  IoParams p;
  p.requests = 2000;
  p.warmup = 10;
  const IoConfig& k = p.cfg;
  const double ghz = p.frequency_ghz;
  const IoResult exit = simulate_io(p);
  EXPECT_NEAR(stage(exit, LatencyStage::kSubmit), k.guest_submit_cycles / ghz, 1e-6);
  EXPECT_NEAR(stage(exit, LatencyStage::kToDevice), k.kick_signal_cycles / ghz + k.worker_wakeup_cycles / ghz,
              1e-6);
  EXPECT_NEAR(stage(exit, LatencyStage::kBackend), k.backend_request_ns + k.backend_byte_ns * 1500, 1e-6);
  p.policy = IoPolicy::kExitless;
  const IoResult exitless = simulate_io(p);
  EXPECT_NEAR(stage(exitless, LatencyStage::kToDevice), k.poll_check_cycles / ghz / 2, 1e-6);
  EXPECT_LT(stage(exitless, LatencyStage::kCompletion), stage(exit, LatencyStage::kCompletion));
}

TEST(IoModel, OneKickExitPerNotificationAndNoneExitless) {
  for (IoPolicy policy : {IoPolicy::kExit, IoPolicy::kExitEventIdx}) {
    IoParams p;
    p.policy = policy;
    p.load.outstanding = 4;
    p.requests = 20000;
    const IoResult r = simulate_io(p);
    EXPECT_GT(r.counts.notifications, 0u);
    EXPECT_EQ(exits(r, IoExit::kKick), r.counts.notifications) << io_policy_name(policy);
  }
  // One outstanding request: the device is always idle when the guest posts, so every post kicks.
  IoParams one;
  one.policy = IoPolicy::kExit;
  one.requests = 10000;
  one.warmup = 100;
  const IoResult r1 = simulate_io(one);
  EXPECT_NEAR(per_request(r1, exits(r1, IoExit::kKick)), 1.0, 1e-3);
  one.policy = IoPolicy::kExitless;
  const IoResult r0 = simulate_io(one);
  EXPECT_EQ(exits(r0, IoExit::kKick), 0u);
  EXPECT_EQ(r0.counts.notifications, 0u);
  EXPECT_EQ(exits(r0, IoExit::kEoi) + exits(r0, IoExit::kIrq), 0u);
}

// A slower backend keeps the device busy, its avail_event stays behind, and the guest stops kicking.
TEST(IoModel, EventIdxKicksFallAsServiceTimeGrows) {
  std::vector<double> kicks;
  for (double service : {0.0, 3000.0, 10000.0, 30000.0}) {
    IoParams p;
    p.policy = IoPolicy::kExitEventIdx;
    p.load.outstanding = 8;
    p.load.think_ns = 50000;
    p.cfg.backend_byte_ns = 0;
    p.cfg.backend_request_ns = service;
    p.requests = 20000;
    const IoResult r = simulate_io(p);
    kicks.push_back(per_request(r, exits(r, IoExit::kKick)));
  }
  EXPECT_GT(kicks.front(), 0.5);
  for (size_t i = 1; i < kicks.size(); ++i) EXPECT_LT(kicks[i], kicks[i - 1]) << i;
  EXPECT_LT(kicks.back(), 0.01);
}

// One polling core serving G guests: aggregate throughput stops growing once it is busy.
TEST(IoModel, PollingCoreSaturates) {
  auto run = [](uint32_t guests) {
    IoParams p;
    p.guests = guests;
    p.policy = IoPolicy::kExitless;
    p.load.outstanding = 8;
    p.cfg.backend_byte_ns = 0;
    p.requests = 40000;
    return simulate_io(p);
  };
  const IoResult one = run(1), eight = run(8);
  const double x1 = one.counts.completed / one.elapsed_ns, x8 = eight.counts.completed / eight.elapsed_ns;
  const double device = (5000 + 0.1 * 1500) / 2.5;  // ns of I/O-core work per request
  EXPECT_LT(x8, 1.02 / device);                     // never more than the core can do
  EXPECT_GT(x8, 0.9 / device);
  EXPECT_LT(x8, 8 * x1 * 0.8);  // far from linear
  const double busy = eight.counts.core_ns[static_cast<size_t>(CoreTime::kUseful)] / eight.elapsed_ns;
  EXPECT_GT(busy, 0.9);
}

// hybrid polls within its window after the last request and sleeps (kicks back on) past it;
// hybrid-rate polls only while the request rate reaches its threshold.
TEST(IoModel, HybridPoliciesPollOnlyWhenTheyShould) {
  auto kicks_at = [](IoPolicy policy, double rate, double window_ns) {
    IoParams p;
    p.policy = policy;
    p.load.closed = false;
    p.load.rate = rate;
    p.cfg.poll_window_ns = window_ns;
    p.requests = 20000;
    const IoResult r = simulate_io(p);
    return per_request(r, exits(r, IoExit::kKick));
  };
  EXPECT_GT(kicks_at(IoPolicy::kHybrid, 20000, 0), 0.9);         // never polls: every request kicks
  EXPECT_EQ(kicks_at(IoPolicy::kHybrid, 20000, 1e9), 0.0);       // always within the window
  const double mid = kicks_at(IoPolicy::kHybrid, 20000, 50000);  // the mean gap: some kick
  EXPECT_GT(mid, 0.1);
  EXPECT_LT(mid, 0.9);
  EXPECT_GT(kicks_at(IoPolicy::kHybridRate, 5000, 0), 0.9);    // below io.poll_rate_threshold
  EXPECT_LT(kicks_at(IoPolicy::kHybridRate, 50000, 0), 0.01);  // above it (a slow window may sleep)
}

TEST(IoModel, BadParametersAreRefused) {
  IoParams p;
  p.guests = 0;
  EXPECT_THROW(simulate_io(p), InputError);
  p.guests = 2;
  p.policy = IoPolicy::kExitless;
  p.io_cores = 3;
  EXPECT_THROW(simulate_io(p), InputError);
  p.io_cores = 1;
  p.load.outstanding = 1000;  // the ring holds 256
  EXPECT_THROW(simulate_io(p), InputError);
}

}  // namespace
}  // namespace hvsim
