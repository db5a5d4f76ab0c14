// The [io] section: every cost of the paravirtual I/O model (src/io/), in cycles of the guest's
// core ([core] frequency_ghz) or in nanoseconds where a source gives a latency. Each default says
// where it comes from (io_config.cpp and configs/default.toml); `systor2012` holds the paper's era.
#pragma once
#include <cstdint>

namespace hvsim {

// How the guest learns that requests completed.
enum class IoCompletion : uint8_t { kAuto, kInterrupt, kExitless, kPoll };

struct IoConfig {
  // Guest side.
  double guest_submit_cycles = 2000;    // driver work to post one request
  double guest_complete_cycles = 1000;  // driver work to reap one completion
  double kick_exit_cycles = 2565;       // a kick: exit handled in the host kernel (ioeventfd)
  double user_exit_cycles = 6732;       // an exit handled in host user space (no I/O core)
  double exit_indirect_cycles = 2000;   // cache/TLB pollution after each exit
  double irq_inject_cycles = 1556;      // delivering a virtual interrupt into a running guest
  double irq_handler_cycles = 1000;     // the guest's interrupt handler, any delivery
  bool eoi_exits = false;               // does the guest's EOI exit (no APICv)?
  double eoi_exit_cycles = 2565;
  double halt_exit_cycles = 2565;  // HLT exit and re-entry
  double halt_wakeup_ns = 7300;    // waking a halted vCPU that was scheduled out
  double halt_poll_ns = 200000;    // host polls this long before scheduling a halted vCPU out
  double halt_poll_wake_ns = 500;  // wake-up caught by halt polling
  double guest_poll_detect_ns = 100;
  IoCompletion completion = IoCompletion::kAuto;
  // Device side (the I/O core).
  double kick_signal_cycles = 560;      // kick to the worker's eventfd being signalled
  double worker_wakeup_cycles = 3102;   // waking a sleeping worker on another core
  double device_request_cycles = 5000;  // I/O-core work per request
  double device_byte_cycles = 0.1;      // I/O-core work per byte (copy)
  double poll_check_cycles = 100;       // one look at one guest's ring
  uint32_t poll_quantum = 8;            // requests served per guest before moving on
  double poll_window_ns = 100000;       // hybrid: keep polling this long after the last request
  double poll_rate_threshold = 20000;   // hybrid-rate: poll while a guest asks this many req/s
  double rate_window_ns = 1e6;          // hybrid-rate: the window that rate is measured over
  // Backend (device, wire or disk), per guest, a FIFO server.
  double backend_request_ns = 0;
  double backend_byte_ns = 0.8;  // 10 Gbit/s
  uint32_t backend_depth = 1;    // requests in service at once
  uint32_t queue_size = 256;     // virtqueue entries
  uint32_t burst_size = 16;      // open:RATE:bursty requests per burst
};

}  // namespace hvsim
