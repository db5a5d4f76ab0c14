// What an `hvsim io` run measured, and the metrics a report gives for it (name, unit, meaning),
// which the table, JSON and CSV writers walk.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/io_params.h"

namespace hvsim {

enum class IoExit : uint8_t { kKick, kHalt, kEoi, kIrq, kCount };
inline constexpr std::array<const char*, 4> kIoExitNames = {"kick", "halt", "eoi", "irq"};

// Guest-core time, ns.
enum class GuestTime : uint8_t { kUseful, kExitDirect, kExitIndirect, kInterrupt, kHalted, kPolling, kCount };
inline constexpr std::array<const char*, 6> kGuestTimeNames = {"useful",    "exit_direct", "exit_indirect",
                                                               "interrupt", "halted",      "polling"};
// I/O-core time, ns.
enum class CoreTime : uint8_t { kUseful, kEmptyPoll, kWakeup, kSleeping, kCount };
inline constexpr std::array<const char*, 4> kCoreTimeNames = {"useful", "empty_poll", "wakeup", "sleeping"};

// Where a request's latency goes, arrival to reap; the stages add up to the latency.
//   submit      the driver builds and publishes the entry (waiting for its vCPU included)
//   to_device   published until the device side starts on it: the kick exit and eventfd signal,
//               the worker's wake-up, or a polling core's detection; queueing behind other work
//               (inline device: the user-space exit and device work themselves)
//   device      the I/O core's work on the entry
//   backend     the backend's service
//   completion  served until reaped: interrupt injection, halt wake-up and HLT exit, handler,
//               EOI exit, or the guest's poll detection; then the driver's reap
enum class LatencyStage : uint8_t { kSubmit, kToDevice, kDevice, kBackend, kCompletion, kCount };
inline constexpr std::array<const char*, 5> kLatencyStageNames = {"submit", "to_device", "device", "backend",
                                                                  "completion"};

struct IoCounters {
  uint64_t completed = 0;
  std::array<uint64_t, static_cast<size_t>(IoExit::kCount)> exits{};
  uint64_t notifications = 0;  // posts the ring said must kick (need_event / no NO_NOTIFY)
  uint64_t interrupts = 0;     // completion interrupts delivered (injected or exitless)
  uint64_t wakeups = 0;        // sleeping workers woken
  std::array<double, static_cast<size_t>(GuestTime::kCount)> guest_ns{};  // summed over guests
  std::array<double, static_cast<size_t>(CoreTime::kCount)> core_ns{};    // summed over I/O cores
  // Summed over measured requests (only measured requests are counted).
  std::array<double, static_cast<size_t>(LatencyStage::kCount)> stage_ns{};
};

struct IoResult {
  IoParams params;
  IoCoreModel core_model = IoCoreModel::kVhost;
  IoCompletion completion = IoCompletion::kInterrupt;
  uint32_t io_cores = 0;                  // device-side cores simulated (vhost: one per guest)
  double elapsed_ns = 0;                  // measured span
  IoCounters counts;                      // measured part (after warm-up)
  std::vector<double> latency_ns;         // each measured request, arrival to reap
  std::vector<uint64_t> guest_completed;  // measured completions per guest
  uint64_t events = 0;                    // events the engine processed, warm-up included

  double seconds() const { return elapsed_ns * 1e-9; }
  double latency_quantile(double q) const;  // ns; 0 without requests
  double latency_mean() const;
};

struct IoMetricDef {
  std::string_view name;  // JSON key and CSV column
  std::string_view unit;
  std::string_view doc;
  double (*value)(const IoResult&);
  std::string_view table_head = {};  // empty: not in the human table
};

// Every scalar metric of a run, in CSV order.
std::span<const IoMetricDef> io_metric_defs();

}  // namespace hvsim
