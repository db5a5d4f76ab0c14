#include "io/io_config.h"

#include "common/config_registry.h"
#include "common/error.h"

namespace hvsim {

// Sources (docs/io.md, shared REFERENCES.md "Paravirtual I/O"):
//   [Dall]   Dall et al., ISCA 2016 / ATC 2017, Xeon E5-2450 (secondary)
//   [SplitX] Landau et al., SplitX, WIOV 2011, first page
//   [haltpoll] Linux commit aca6ff29 (dynamic halt polling: TCP_RR 34 -> 26.7 us)
//   [kvm]    Linux virt/kvm: KVM_HALT_POLL_NS_DEFAULT 200000 on x86
//   [vhost]  Linux commit 441abde4 (vhost-net busy polling, poll-us 100)
HVSIM_CONFIG_SECTION(IoConfig, "io", 80,
                     "paravirtual I/O: virtqueue notification and completion costs (hvsim io)") {
  constexpr double kMax = 1e12;
  auto cyc = [&](const char* name, double IoConfig::*field, const char* doc) {
    s.number(name, field, 0, kMax).unit("cycles").doc(doc);
  };
  auto ns = [&](const char* name, double IoConfig::*field, const char* doc) {
    s.number(name, field, 0, kMax).unit("ns").doc(doc);
  };
  cyc("guest_submit_cycles", &IoConfig::guest_submit_cycles, "guest driver work to post a request (assumed)");
  cyc("guest_complete_cycles", &IoConfig::guest_complete_cycles,
      "guest driver work to reap a completion (assumed)");
  cyc("kick_exit_cycles", &IoConfig::kick_exit_cycles, "kick exit handled in the host kernel [Dall] 2,565");
  cyc("user_exit_cycles", &IoConfig::user_exit_cycles,
      "exit handled in host user space, with no I/O core [Dall] 6,732");
  cyc("exit_indirect_cycles", &IoConfig::exit_indirect_cycles,
      "indirect cost of an exit (pollution) [SplitX] direct ~2,000, indirect up to 10x; 1x assumed");
  cyc("irq_inject_cycles", &IoConfig::irq_inject_cycles, "virtual interrupt completion [Dall] 1,556");
  cyc("irq_handler_cycles", &IoConfig::irq_handler_cycles, "guest interrupt handler (assumed)");
  s.flag("eoi_exits", &IoConfig::eoi_exits).doc("the guest's EOI exits (true without APICv / ELI)");
  cyc("eoi_exit_cycles", &IoConfig::eoi_exit_cycles, "EOI exit handled in the host kernel [Dall] 2,565");
  cyc("halt_exit_cycles", &IoConfig::halt_exit_cycles, "HLT exit handled in the host kernel [Dall] 2,565");
  ns("halt_wakeup_ns", &IoConfig::halt_wakeup_ns,
     "waking a scheduled-out halted vCPU [haltpoll] 34 - 26.7 us = 7.3 us");
  ns("halt_poll_ns", &IoConfig::halt_poll_ns, "host halt-polling window [kvm] 200 us; 0 = none");
  ns("halt_poll_wake_ns", &IoConfig::halt_poll_wake_ns, "wake-up caught by halt polling (assumed)");
  ns("guest_poll_detect_ns", &IoConfig::guest_poll_detect_ns,
     "a polling guest sees a completion after (assumed)");
  s.choice("completion", &IoConfig::completion,
           std::vector<std::pair<std::string, IoCompletion>>{{"auto", IoCompletion::kAuto},
                                                             {"interrupt", IoCompletion::kInterrupt},
                                                             {"exitless", IoCompletion::kExitless},
                                                             {"poll", IoCompletion::kPoll}})
      .doc("completion delivery; auto: interrupt for exit policies, exitless (ELI) for the others");
  cyc("kick_signal_cycles", &IoConfig::kick_signal_cycles, "ioeventfd kick, I/O latency out [Dall] 560");
  cyc("worker_wakeup_cycles", &IoConfig::worker_wakeup_cycles,
      "waking a sleeping worker on another core, as a virtual IPI [Dall] 3,102");
  cyc("device_request_cycles", &IoConfig::device_request_cycles, "I/O-core work per request (assumed)");
  cyc("device_byte_cycles", &IoConfig::device_byte_cycles, "I/O-core copy per byte (assumed, 10 B/cycle)");
  cyc("poll_check_cycles", &IoConfig::poll_check_cycles, "a polling core's look at one ring (assumed)");
  s.integer("poll_quantum", &IoConfig::poll_quantum, 1, 1u << 20)
      .unit("requests")
      .doc("requests a polling core serves for one guest before the next (assumed)");
  ns("poll_window_ns", &IoConfig::poll_window_ns, "hybrid poll window after the last request [vhost] 100 us");
  s.number("poll_rate_threshold", &IoConfig::poll_rate_threshold, 0, kMax)
      .unit("req/s")
      .doc("hybrid-rate: poll while a guest's rate is at least this (assumed)");
  s.number("rate_window_ns", &IoConfig::rate_window_ns, 1, kMax)
      .unit("ns")
      .doc("hybrid-rate measuring window");
  ns("backend_request_ns", &IoConfig::backend_request_ns, "backend service per request");
  ns("backend_byte_ns", &IoConfig::backend_byte_ns, "backend service per byte: 0.8 = 10 Gbit/s");
  s.integer("backend_depth", &IoConfig::backend_depth, 1, 1u << 16)
      .unit("requests")
      .doc("requests the backend serves at once; more wait in the ring");
  s.integer("queue_size", &IoConfig::queue_size, 1, 32768).unit("entries").doc("virtqueue size");
  s.integer("burst_size", &IoConfig::burst_size, 1, 1u << 20)
      .unit("requests")
      .doc("open:RATE:bursty requests per burst");
  s.check([](const IoConfig& c) {
    if (c.queue_size & (c.queue_size - 1))
      throw InputError("io.queue_size: " + std::to_string(c.queue_size) + " is not a power of two");
  });
}

}  // namespace hvsim
