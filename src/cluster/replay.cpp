#include "cluster/replay.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "common/error.h"

namespace hvsim {
namespace {

struct Event {
  double time;
  uint8_t arrival;  // 0: a departure, processed first at equal times
  uint32_t id;
  bool operator<(const Event& o) const {
    return time != o.time ? time < o.time : arrival != o.arrival ? arrival < o.arrival : id < o.id;
  }
};

// Records load and fragmentation at `count` evenly spaced times over [t0, t1], and the
// time-weighted mean load from `weigh_from` on.
class Recorder {
 public:
  Recorder(const Cluster& c, double t0, double t1, uint32_t count, double weigh_from)
      : c_(c), t0_(t0), t1_(t1), count_(count), weigh_from_(weigh_from), last_(t0) {}
  // Call before the state changes at time t.
  void advance(double t, std::vector<FragSample>& out) {
    while (next_ < count_ && time_of(next_) < t) {
      out.push_back({time_of(next_), c_.load(), c_.fragmentation(), c_.running()});
      ++next_;
    }
    const double from = std::max(last_, weigh_from_);
    if (t > from) {
      weighted_ += c_.load() * (t - from);
      span_ += t - from;
    }
    last_ = std::max(last_, t);
  }
  void finish(std::vector<FragSample>& out) { advance(std::nextafter(t1_, INFINITY), out); }
  double mean_load() const { return span_ > 0 ? weighted_ / span_ : c_.load(); }

 private:
  double time_of(uint32_t k) const { return t0_ + (t1_ - t0_) * (k + 1) / count_; }
  const Cluster& c_;
  double t0_, t1_;
  uint32_t count_, next_ = 0;
  double weigh_from_, last_, weighted_ = 0, span_ = 0;
};

void report_progress(const ReplayOptions& o, uint64_t done, uint64_t total) {
  if (o.progress && (done % ReplayOptions::kProgressEvery == 0 || done == total)) o.progress(done, total);
}

void keep(const Cluster& c, uint32_t id, ReplayResult& r) {
  const Placement& p = c.placement(id);
  r.outcomes.push_back({p.host, p.segments});
}

void run_events(Cluster& c, const VmTrace& trace, bool departures, const ReplayOptions& o, ReplayResult& r,
                uint32_t samples) {
  std::vector<Event> events;
  events.reserve(trace.vms.size() * 2);
  for (uint32_t i = 0; i < trace.vms.size(); ++i) {
    const VmRequest& vm = trace.vms[i];
    const double start = trace.has_times ? static_cast<double>(vm.start) : i;
    events.push_back({start, 1, i});
    if (departures && vm.end >= 0) events.push_back({static_cast<double>(vm.end), 0, i});
  }
  std::sort(events.begin(), events.end());
  if (!departures)  // arrival-only: in order of start time, each at its index
    for (uint32_t k = 0; k < events.size(); ++k) events[k].time = k;
  Recorder rec(c, events.front().time, events.back().time, samples, events.front().time);
  if (o.keep_segments) r.outcomes.resize(trace.vms.size());
  uint64_t done = 0;
  for (const Event& e : events) {
    report_progress(o, ++done, events.size());
    rec.advance(e.time, r.samples);
    if (!e.arrival) {
      c.depart(e.id);
      continue;
    }
    c.arrive(e.id, trace.vms[e.id]);
    if (o.keep_segments) r.outcomes[e.id] = {c.placement(e.id).host, c.placement(e.id).segments};
  }
  rec.finish(r.samples);
  r.mean_load = rec.mean_load();
}

// Steady state: sizes and lifetimes drawn from the trace; Poisson arrivals at the rate that
// offers `target_load` of the usable memory (Little's law: rate x mean(size x lifetime)).
struct SteadyPlan {
  int64_t horizon = 0;  // the trace's last time: where VMs that never leave end
  std::vector<double> arrivals;
  size_t warm = 0;  // arrivals before the longest lifetime has passed: the warm-up
  double lifetime(const VmRequest& vm) const {
    return static_cast<double>(std::max<int64_t>(1, (vm.end >= 0 ? vm.end : horizon) - vm.start));
  }
};

SteadyPlan plan_steady(const VmTrace& trace, double capacity, const ReplayOptions& o, Rng& rng) {
  SteadyPlan plan;
  plan.horizon = trace.vms.front().start;
  for (const VmRequest& vm : trace.vms) plan.horizon = std::max({plan.horizon, vm.start, vm.end});
  double byte_seconds = 0, longest = 0;
  for (const VmRequest& vm : trace.vms) {
    byte_seconds += static_cast<double>(vm.memory_mib << 20) * plan.lifetime(vm);
    longest = std::max(longest, plan.lifetime(vm));
  }
  byte_seconds /= static_cast<double>(trace.vms.size());
  const double rate = o.target_load * capacity / byte_seconds;
  auto gap = [&] { return -std::log(1.0 - rng.unit()) / rate; };
  for (double t = gap(); t < longest; t += gap()) plan.arrivals.push_back(t);
  plan.warm = plan.arrivals.size();
  const uint64_t n = o.steady_vms ? o.steady_vms : trace.vms.size();
  for (uint64_t i = 0; i < n; ++i)
    plan.arrivals.push_back((plan.arrivals.empty() ? 0 : plan.arrivals.back()) + gap());
  return plan;
}

void run_steady(Cluster& c, const VmTrace& trace, const ClusterConfig& config, const ReplayOptions& o,
                ReplayResult& r) {
  Rng rng(config.seed * 31 + 7);
  const SteadyPlan plan = plan_steady(trace, static_cast<double>(c.usable_units() * c.granule()), o, rng);
  const auto& arrivals = plan.arrivals;
  const size_t warm = plan.warm;
  r.warmup_arrivals = warm;
  const double t0 = warm ? arrivals[warm - 1] : 0;
  Recorder rec(c, t0, arrivals.back(), config.samples, t0);
  std::priority_queue<std::pair<double, uint32_t>, std::vector<std::pair<double, uint32_t>>, std::greater<>>
      leaving;
  if (o.keep_segments) r.outcomes.reserve(arrivals.size() - warm);
  // Cluster ids are slots reused after a departure: the cluster's per-VM state stays as large
  // as the VMs running, however long the run.
  std::vector<uint32_t> free_slots;
  uint32_t next_slot = 0;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    report_progress(o, i + 1, arrivals.size());
    while (!leaving.empty() && leaving.top().first <= arrivals[i]) {
      if (i >= warm) rec.advance(leaving.top().first, r.samples);
      c.depart(leaving.top().second);
      free_slots.push_back(leaving.top().second);
      leaving.pop();
    }
    if (i == warm) c.reset_counts();
    if (i >= warm) rec.advance(arrivals[i], r.samples);
    uint32_t slot = next_slot;
    if (free_slots.empty()) {
      ++next_slot;
    } else {
      slot = free_slots.back();
      free_slots.pop_back();
    }
    const VmRequest& vm = trace.vms[rng.below(trace.vms.size())];
    if (c.arrive(slot, vm))
      leaving.push({arrivals[i] + plan.lifetime(vm), slot});
    else
      free_slots.push_back(slot);
    if (o.keep_segments && i >= warm) keep(c, slot, r);
  }
  rec.finish(r.samples);
  r.mean_load = rec.mean_load();
  r.offered_load = o.target_load;
}

}  // namespace

ReplayMode parse_replay_mode(const std::string& name) {
  if (name == "replay") return ReplayMode::kReplay;
  if (name == "steady") return ReplayMode::kSteady;
  if (name == "arrival") return ReplayMode::kArrival;
  throw InputError("--mode: '" + name + "' is not a mode; expected one of: replay, steady, arrival");
}

const char* replay_mode_name(ReplayMode m) {
  return m == ReplayMode::kReplay ? "replay" : m == ReplayMode::kSteady ? "steady" : "arrival";
}

ReplayResult replay(const VmTrace& trace, const std::vector<HostSpec>& hosts, const ClusterConfig& config,
                    AllocatorKind allocator, PlacementPolicy policy, const ReplayOptions& options) {
  Cluster c(hosts, config, allocator, policy);
  ReplayResult r;
  r.hosts = hosts.size();
  r.usable_bytes = c.usable_units() * c.granule();
  if (options.mode == ReplayMode::kSteady)
    run_steady(c, trace, config, options, r);
  else
    run_events(c, trace, options.mode == ReplayMode::kReplay && trace.has_times, options, r, config.samples);
  r.counts = c.counts();
  return r;
}

}  // namespace hvsim
