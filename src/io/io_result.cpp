#include "io/io_result.h"

#include <algorithm>
#include <numeric>

namespace hvsim {

double IoResult::latency_quantile(double q) const {
  if (latency_ns.empty()) return 0;
  std::vector<double> v = latency_ns;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

double IoResult::latency_mean() const {
  if (latency_ns.empty()) return 0;
  return std::accumulate(latency_ns.begin(), latency_ns.end(), 0.0) / static_cast<double>(latency_ns.size());
}

namespace {

double per_s(const IoResult& r, double count) { return r.elapsed_ns > 0 ? count / r.seconds() : 0; }
template <IoExit E>
double exits_per_s(const IoResult& r) {
  return per_s(r, static_cast<double>(r.counts.exits[static_cast<size_t>(E)]));
}
double all_exits(const IoResult& r) {
  double n = 0;
  for (uint64_t e : r.counts.exits) n += static_cast<double>(e);
  return n;
}
template <GuestTime T>
double guest_share(const IoResult& r) {
  const double total = r.elapsed_ns * r.params.guests;
  return total > 0 ? r.counts.guest_ns[static_cast<size_t>(T)] / total : 0;
}
template <CoreTime T>
double core_share(const IoResult& r) {
  const double total = r.elapsed_ns * r.io_cores;
  return total > 0 ? r.counts.core_ns[static_cast<size_t>(T)] / total : 0;
}
template <LatencyStage S>
double stage_us(const IoResult& r) {
  const double n = static_cast<double>(r.counts.completed);
  return n > 0 ? r.counts.stage_ns[static_cast<size_t>(S)] / n / 1e3 : 0;
}
double min_guest_rate(const IoResult& r) {
  if (r.guest_completed.empty()) return 0;
  return per_s(r, static_cast<double>(*std::min_element(r.guest_completed.begin(), r.guest_completed.end())));
}

const IoMetricDef kDefs[] = {
    {"requests", "requests", "requests completed while measuring",
     [](const IoResult& r) { return static_cast<double>(r.counts.completed); }},
    {"elapsed_us", "us", "simulated time measured", [](const IoResult& r) { return r.elapsed_ns / 1e3; }},
    {"throughput_rps", "req/s", "requests completed per second, all guests",
     [](const IoResult& r) { return per_s(r, static_cast<double>(r.counts.completed)); }, "req/s"},
    {"throughput_gbps", "Gbit/s", "payload bits per second, all guests",
     [](const IoResult& r) {
       return per_s(r, static_cast<double>(r.counts.completed) * static_cast<double>(r.params.size) * 8) /
              1e9;
     },
     "Gbit/s"},
    {"min_guest_rps", "req/s", "the slowest guest's requests per second", &min_guest_rate, "min guest"},
    {"latency_mean_us", "us", "mean latency, arrival to reap",
     [](const IoResult& r) { return r.latency_mean() / 1e3; }, "mean us"},
    {"latency_submit_us", "us", "mean latency in the driver's submit (LatencyStage, docs/io.md)",
     &stage_us<LatencyStage::kSubmit>, "submit us"},
    {"latency_to_device_us", "us", "mean latency from publishing to the device side starting on it",
     &stage_us<LatencyStage::kToDevice>, "to dev us"},
    {"latency_device_us", "us", "mean latency in the I/O core's work", &stage_us<LatencyStage::kDevice>,
     "device us"},
    {"latency_backend_us", "us", "mean latency in the backend", &stage_us<LatencyStage::kBackend>,
     "backend us"},
    {"latency_completion_us", "us", "mean latency from served to reaped (interrupt or poll, reap)",
     &stage_us<LatencyStage::kCompletion>, "complete us"},
    {"latency_p50_us", "us", "median latency",
     [](const IoResult& r) { return r.latency_quantile(0.5) / 1e3; }, "p50 us"},
    {"latency_p99_us", "us", "99th percentile latency",
     [](const IoResult& r) { return r.latency_quantile(0.99) / 1e3; }, "p99 us"},
    {"latency_p999_us", "us", "99.9th percentile latency",
     [](const IoResult& r) { return r.latency_quantile(0.999) / 1e3; }, "p99.9 us"},
    {"exits_per_s", "exits/s", "VM exits per second, all guests, every reason",
     [](const IoResult& r) { return per_s(r, all_exits(r)); }, "exits/s"},
    {"exits_per_request", "exits/request", "VM exits per completed request",
     [](const IoResult& r) {
       return r.counts.completed ? all_exits(r) / static_cast<double>(r.counts.completed) : 0;
     },
     "exits/req"},
    {"kicks_per_request", "exits/request", "kick exits per completed request",
     [](const IoResult& r) {
       const double k = static_cast<double>(r.counts.exits[static_cast<size_t>(IoExit::kKick)]);
       return r.counts.completed ? k / static_cast<double>(r.counts.completed) : 0;
     },
     "kicks/req"},
    {"kick_exits_per_s", "exits/s", "kick (PIO/MMIO notify) exits per second", &exits_per_s<IoExit::kKick>,
     "kick/s"},
    {"halt_exits_per_s", "exits/s", "HLT exits per second", &exits_per_s<IoExit::kHalt>, "halt/s"},
    {"eoi_exits_per_s", "exits/s", "EOI exits per second", &exits_per_s<IoExit::kEoi>, "eoi/s"},
    {"irq_exits_per_s", "exits/s", "exits to inject an interrupt into a running vCPU",
     &exits_per_s<IoExit::kIrq>, "irq/s"},
    {"interrupts_per_s", "interrupts/s", "completion interrupts delivered (injected or exitless)",
     [](const IoResult& r) { return per_s(r, static_cast<double>(r.counts.interrupts)); }, "intr/s"},
    {"worker_wakeups_per_s", "wakeups/s", "sleeping I/O workers woken",
     [](const IoResult& r) { return per_s(r, static_cast<double>(r.counts.wakeups)); }},
    {"guest_useful", "fraction", "guest-core time in application and driver work",
     &guest_share<GuestTime::kUseful>, "g useful"},
    {"guest_exit_direct", "fraction", "guest-core time in exits (direct cost)",
     &guest_share<GuestTime::kExitDirect>, "g exit"},
    {"guest_exit_indirect", "fraction", "guest-core time lost after exits (indirect cost)",
     &guest_share<GuestTime::kExitIndirect>, "g exit ind"},
    {"guest_interrupt", "fraction", "guest-core time delivering and handling interrupts",
     &guest_share<GuestTime::kInterrupt>, "g intr"},
    {"guest_halted", "fraction", "guest-core time halted or idle", &guest_share<GuestTime::kHalted>,
     "g halted"},
    {"guest_polling", "fraction", "guest-core time polling for completions",
     &guest_share<GuestTime::kPolling>},
    {"io_useful", "fraction", "I/O-core time serving requests", &core_share<CoreTime::kUseful>, "io useful"},
    {"io_empty_poll", "fraction", "I/O-core time polling empty rings", &core_share<CoreTime::kEmptyPoll>,
     "io empty"},
    {"io_wakeup", "fraction", "I/O-core time waking up", &core_share<CoreTime::kWakeup>, "io wake"},
    {"io_sleeping", "fraction", "I/O-core time asleep", &core_share<CoreTime::kSleeping>},
};

}  // namespace

std::span<const IoMetricDef> io_metric_defs() { return kDefs; }

}  // namespace hvsim
