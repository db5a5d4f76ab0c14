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

struct IoCounters {
  uint64_t completed = 0;
  std::array<uint64_t, static_cast<size_t>(IoExit::kCount)> exits{};
  uint64_t notifications = 0;  // posts the ring said must kick (need_event / no NO_NOTIFY)
  uint64_t interrupts = 0;     // completion interrupts delivered (injected or exitless)
  uint64_t wakeups = 0;        // sleeping workers woken
  std::array<double, static_cast<size_t>(GuestTime::kCount)> guest_ns{};  // summed over guests
  std::array<double, static_cast<size_t>(CoreTime::kCount)> core_ns{};    // summed over I/O cores
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
