#include "calibrate/core_clock.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hvsim {
namespace {

constexpr uint64_t kAddsPerIteration = 200;
constexpr uint64_t kIterations = 10000;  // 2M adds: about a millisecond per run

// Adds per nanosecond: each iteration is 200 register-register adds into one register, each
// waiting for the last; the loop counter runs beside them on other ports. Not `add $imm`: newer
// cores (Golden Cove) fold chains of immediate adds in the renamer, several per cycle.
double adds_per_ns(uint64_t iterations) {
#if defined(__x86_64__)
  uint64_t x = 0, one = 1;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < iterations; ++i)
    asm volatile(".rept 200\n\taddq %1, %0\n\t.endr" : "+r"(x) : "r"(one));
  const auto t1 = std::chrono::steady_clock::now();
  return static_cast<double>(iterations * kAddsPerIteration) /
         std::chrono::duration<double, std::nano>(t1 - t0).count();
#else
  (void)iterations;
  return 0;
#endif
}

}  // namespace

double add_chain_ghz(uint64_t iterations) { return adds_per_ns(iterations); }

std::string cpuinfo_field(std::string_view cpuinfo, std::string_view field) {
  size_t pos = 0;
  while (pos < cpuinfo.size()) {
    size_t nl = cpuinfo.find('\n', pos);
    if (nl == std::string_view::npos) nl = cpuinfo.size();
    std::string_view line = cpuinfo.substr(pos, nl - pos);
    pos = nl + 1;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name != field) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return std::string(value);
  }
  return {};
}

std::string read_cpuinfo() {
  std::ifstream in("/proc/cpuinfo");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ClockEstimate measure_core_clock(const StableRule& rule) {
  ClockEstimate c;
  c.cpuinfo_mhz = std::atof(cpuinfo_field(read_cpuinfo(), "cpu MHz").c_str());
#if defined(__x86_64__)
  adds_per_ns(kIterations);  // let the clock ramp up
  c.spread = repeat_until_stable([] { return adds_per_ns(kIterations); }, rule);
  c.ghz = c.spread.median;
  c.method = "timed chain of dependent adds (1 cycle each)";
  if (c.cpuinfo_mhz > 0)
    c.method += fmt::format("; /proc/cpuinfo says {:.0f} MHz ({:+.1f}%)", c.cpuinfo_mhz,
                            (c.ghz * 1000 / c.cpuinfo_mhz - 1) * 100);
#else
  c.ghz = c.cpuinfo_mhz / 1000;
  c.method = "/proc/cpuinfo cpu MHz (no add chain on this architecture)";
#endif
  return c;
}

}  // namespace hvsim
