// The core clock: a timed chain of dependent integer adds (one cycle each on every x86-64 core
// since the P6), cross-checked against /proc/cpuinfo's "cpu MHz", which is the nominal or last
// sampled clock and inside a VM often the host's TSC rate rather than the running clock.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "calibrate/stable_repeat.h"

namespace hvsim {

struct ClockEstimate {
  double ghz = 0;          // what cycles are counted at
  Spread spread;           // GHz, over runs of the add chain (empty without it)
  double cpuinfo_mhz = 0;  // 0: not listed
  std::string method;      // how ghz was obtained
};

// The first value of `field` in /proc/cpuinfo text ("cpu MHz", "model name"); empty if absent.
std::string cpuinfo_field(std::string_view cpuinfo, std::string_view field);
// The clock from one timed chain of 200 * `iterations` dependent adds, GHz; 0 where there is no
// chain (not x86-64). 1000 iterations take about 0.1 ms: short enough to run beside each run
// of a chase, so that its time converts to cycles at the clock of that moment.
double add_chain_ghz(uint64_t iterations);
// Reads /proc/cpuinfo (empty if unreadable).
std::string read_cpuinfo();
// Runs the add chain until stable; without one (not x86-64), takes the cpuinfo figure.
ClockEstimate measure_core_clock(const StableRule& rule = {});

}  // namespace hvsim
