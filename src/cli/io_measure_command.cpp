#include "cli/io_measure_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "common/error.h"
#include "common/profile.h"
#include "common/units.h"
#include "io/io_simulation.h"
#include "kvm/kvm_measure.h"
#include "kvm/kvm_vm.h"
#include "report/atomic_file.h"

namespace hvsim {
namespace {

// Exit status of a run that could not measure anything here (the automake "skipped" code).
constexpr int kSkipped = 77;

struct MeasureArgs {
  std::string requests = "2000";
  std::string repeats = "5";
  std::string out;
  std::string frequency = "2.5";
};

std::string render(const KvmReport& r) {
  std::string s = fmt::format("{:<44} {:>10} {:>12} {:>22} {:>11} {:>11}\n", "measurement", "requests",
                              "median ns", "spread ns", "user ex/req", "kvm ex/req");
  for (const auto& m : r.rows)
    s += fmt::format("{:<44} {:>10} {:>12.0f} {:>22} {:>11.3f} {:>11}\n", m.name, m.requests, m.median_ns,
                     fmt::format("{:.0f}..{:.0f}", m.min_ns, m.max_ns), m.user_exits_per_request,
                     m.kvm_exits_per_request < 0 ? "-" : fmt::format("{:.3f}", m.kvm_exits_per_request));
  for (const auto& n : r.notes) s += "note: " + n + "\n";
  return s;
}

const KvmMeasurement& row(const KvmReport& r, const char* name) {
  for (const auto& m : r.rows)
    if (m.name == name) return m;
  throw std::logic_error(std::string("no measurement ") + name);
}

// The measured costs as an [io] section: cycles at `ghz`.
std::string io_section(const KvmReport& r, double ghz) {
  const double pio_kernel = row(r, "PIO exit to in-kernel ioeventfd").median_ns;
  const double pio_user = row(r, "PIO exit to user space").median_ns;
  const double ring = row(r, "exitless ring, host thread polling").median_ns;
  const double kick_ring = row(r, "kick ring (ioeventfd), host thread blocking").median_ns;
  std::string s =
      fmt::format("# measured by `hvsim io measure` on this host ({}), cycles at {} GHz\n",
                  r.emulated ? "guest code EMULATED: times include the emulator" : "native guest code", ghz);
  s += "[io]\n";
  s += fmt::format("kick_exit_cycles = {:.0f}        # PIO exit round trip to an in-kernel ioeventfd\n",
                   pio_kernel * ghz);
  s += fmt::format("user_exit_cycles = {:.0f}        # PIO exit round trip to user space\n", pio_user * ghz);
  s += fmt::format("worker_wakeup_cycles = {:.0f}    # kick ring round trip minus the kick exit\n",
                   std::max(0.0, kick_ring - pio_kernel) * ghz);
  s += fmt::format("poll_check_cycles = {:.0f}       # exitless ring round trip against a polling thread\n",
                   ring * ghz);
  return s;
}

// The model on the same rings: one guest, one request in flight, no guest or device work, the
// guest polling the used ring; exit-based with the measured kick and wake-up, and exitless.
std::string model_vs_machine(const KvmReport& r, double ghz) {
  const auto& kick = row(r, "kick ring (ioeventfd), host thread blocking");
  const auto& ring = row(r, "exitless ring, host thread polling");
  const double pio_kernel = row(r, "PIO exit to in-kernel ioeventfd").median_ns;
  IoParams p;
  p.frequency_ghz = ghz;
  p.requests = 20000;
  IoConfig& c = p.cfg;
  c = IoConfig{};
  c.guest_submit_cycles = c.guest_complete_cycles = c.device_request_cycles = c.device_byte_cycles = 0;
  c.backend_byte_ns = c.backend_request_ns = c.exit_indirect_cycles = 0;
  c.guest_poll_detect_ns = 0;
  c.completion = IoCompletion::kPoll;
  c.kick_exit_cycles = pio_kernel * ghz;
  c.kick_signal_cycles = pio_kernel * ghz;  // the eventfd is signalled as the exit is handled
  c.worker_wakeup_cycles = std::max(0.0, kick.median_ns - pio_kernel) * ghz;
  c.poll_check_cycles = ring.median_ns * ghz / 1.5;  // seen half a look later, then one look
  p.policy = IoPolicy::kExit;
  const IoResult exit_run = simulate_io(p);
  p.policy = IoPolicy::kExitless;
  const IoResult exitless_run = simulate_io(p);
  auto rps = [](const IoResult& x) { return static_cast<double>(x.counts.completed) / x.seconds(); };
  auto kicks = [](const IoResult& x) {
    return static_cast<double>(x.counts.exits[static_cast<size_t>(IoExit::kKick)]) /
           static_cast<double>(x.counts.completed);
  };
  std::string s =
      fmt::format("\nmodel vs machine (one request in flight)\n{:<28} {:>14} {:>14} {:>12} {:>12}\n", "ring",
                  "machine req/s", "model req/s", "machine ex/req", "model ex/req");
  auto line = [&](const char* name, const KvmMeasurement& m, const IoResult& x) {
    const double ex = m.kvm_exits_per_request >= 0 ? m.kvm_exits_per_request : m.user_exits_per_request;
    s += fmt::format("{:<28} {:>14.0f} {:>14.0f} {:>12.3f} {:>12.3f}\n", name, 1e9 / m.median_ns, rps(x), ex,
                     kicks(x));
  };
  line("kick ring (exit)", kick, exit_run);
  line("exitless ring", ring, exitless_run);
  return s;
}

void run_measure(const MeasureArgs& a) {
  const auto n = static_cast<uint16_t>(parse_count(a.requests, "--requests", 10, 65535));
  const auto reps = static_cast<uint32_t>(parse_count(a.repeats, "--repeats", 1, 1000));
  char* end = nullptr;
  const double ghz = std::strtod(a.frequency.c_str(), &end);
  if (!end || *end || !(ghz > 0.05 && ghz < 20))
    throw InputError(
        fmt::format("--frequency-ghz: '{}' is not valid; expected a clock from 0.05 to 20", a.frequency));
  if (!a.out.empty()) check_output_paths({{"--out", a.out}});
  if (auto why = kvm_unavailable()) {
    fmt::print(stderr, "hvsim io measure: skipped: KVM is not usable here ({})\n", *why);
    std::fflush(stdout);
    std::exit(kSkipped);
  }
  KvmReport r;
  try {
    r = measure_kvm(n, reps);
  } catch (const std::runtime_error& e) {
    fmt::print(stderr, "hvsim io measure: skipped: KVM refused ({})\n", e.what());
    std::fflush(stdout);
    std::exit(kSkipped);
  }
  const std::string section = io_section(r, ghz);
  fmt::print("{}\n{}{}", render(r), section, model_vs_machine(r, ghz));
  if (!a.out.empty()) write_output_file({"--out", a.out}, section);
}

}  // namespace

void register_io_measure_command(CLI::App& io) {
  auto args = std::make_shared<MeasureArgs>();
  auto* cmd =
      io.add_subcommand("measure", "Measure exit and ring costs on /dev/kvm with tiny built-in guests");
  cmd->footer(
      "Runs tiny real-mode guests assembled by hvsim: PIO/MMIO exits to user space and to an in-kernel\n"
      "ioeventfd, a shared-memory ring against a host thread polling (exitless) or blocking on a kick.\n"
      "Prints medians with their spread, exits per request (KVM's vCPU stats), the values as an [io]\n"
      "section, and the model on the same rings. Exit status 77 where /dev/kvm is absent or refuses.");
  cmd->add_option("-n,--requests", args->requests, "Requests per repetition (10..65535)")
      ->default_str("2000");
  cmd->add_option("--repeats", args->repeats, "Repetitions (medians and spread over them)")->default_str("5");
  cmd->add_option("--frequency-ghz", args->frequency, "Clock to convert ns to cycles in the [io] section")
      ->default_str("2.5");
  cmd->add_option("--out", args->out, "Also write the [io] section to this file");
  cmd->callback([args] { run_measure(*args); });
}

}  // namespace hvsim
