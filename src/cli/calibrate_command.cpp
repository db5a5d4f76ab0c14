#include "cli/calibrate_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "calibrate/calibrated_profile.h"
#include "calibrate/calibration.h"
#include "calibrate/calibration_report.h"
#include "cli/calibrate_prediction.h"
#include "common/error.h"
#include "common/profile.h"
#include "common/units.h"
#include "report/atomic_file.h"

namespace hvsim {
namespace {

struct CalibrateArgs {
  std::string out, json;
  std::string max_footprint = "1GiB";
  std::string kvm = "auto";
  bool check = false, curves = false;
};

KvmChoice parse_kvm_choice(const std::string& s) {
  if (s == "auto") return KvmChoice::kAuto;
  if (s == "measured") return KvmChoice::kMeasured;
  if (s == "default") return KvmChoice::kDefault;
  throw InputError(fmt::format("--kvm-costs: '{}' is not valid; expected auto, measured or default", s));
}

uint64_t parse_max_footprint(const std::string& text) {
  const uint64_t v = parse_size(text, "--max-footprint");
  const uint64_t phys =
      static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t hi = std::min<uint64_t>(uint64_t{64} << 30, phys / 2);
  if (v < (uint64_t{1} << 20) || v > hi)
    throw InputError(
        fmt::format("--max-footprint: '{}' is not valid; expected 1MiB to {} (half of this "
                    "machine's memory, at most 64GiB)",
                    text, format_size_approx(hi)));
  return v;
}

// Steps on stderr always; the points of a curve only on a terminal, each over the last.
// Each step with the seconds since the command started.
Progress stderr_progress() {
  const bool tty = ::isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  return [tty, t0](ProgressKind kind, const std::string& line) {
    if (kind == ProgressKind::kPoint) {
      if (tty) fmt::print(stderr, "\r\033[K  {}", line);
      return;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(stderr, "{}calibrate: [{:5.1f} s] {}\n", tty ? "\r\033[K" : "", s, line);
  };
}

std::string render_check(const Calibration& c, const std::vector<ChasePrediction>& predicted) {
  const ChaseRatio& r = *c.check;
  std::string s = fmt::format(
      "\ncheck: every-line chase over {}, 4 KiB against 2 MiB pages (no fit used it)\n"
      "{:<34} {:>12} {:>12} {:>8}\n",
      format_size(r.footprint), "", "4 KiB", "2 MiB", "ratio");
  s += fmt::format("{:<34} {:>12.1f} {:>12.1f} {:>8.2f}   cycles per load; ns {:.1f}/{:.1f}\n",
                   "measured on this host", r.small.ns.median * c.ghz(), r.huge.ns.median * c.ghz(),
                   r.ratio(), r.small.ns.median, r.huge.ns.median);
  for (const auto& p : predicted)
    s += fmt::format("{:<34} {:>12.1f} {:>12.1f} {:>8.2f}   cycles per access\n", "hvsim, " + p.label,
                     p.cycles_4k, p.cycles_2m, p.ratio());
  return s;
}

nlohmann::json predictions_json(const std::vector<ChasePrediction>& predicted) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : predicted)
    j.push_back({{"config", p.label},
                 {"settings", p.set},
                 {"cycles_per_access_4k", p.cycles_4k},
                 {"cycles_per_access_2m", p.cycles_2m},
                 {"ratio", p.ratio()}});
  return j;
}

void run_calibrate(const CalibrateArgs& a) {
  // Every check that costs no measuring first: a bad path fails before seconds of chases.
  std::vector<OutputPath> outputs;
  const bool to_stdout = a.out == "-";
  if (!a.out.empty() && !to_stdout) outputs.push_back({"--out", a.out});
  if (!a.json.empty()) outputs.push_back({"--json", a.json});
  check_output_paths(outputs);
  CalibrationOptions o;
  o.max_footprint = parse_max_footprint(a.max_footprint);
  o.kvm = parse_kvm_choice(a.kvm);
  o.check = a.check;

  const Progress progress = stderr_progress();
  Calibration c;
  try {
    c = run_calibration(o, progress);
  } catch (const std::runtime_error& e) {
    throw SimulationError(std::string("calibrate: ") + e.what());
  }
  const std::string text = calibrated_profile_text(c);
  Profile calibrated = parse_profile(text, "the calibrated profile");  // what --profile FILE will read
  validate_profile(calibrated);

  std::string report = render_calibration(c);
  if (a.curves) report += render_curves(c);
  nlohmann::json j = calibration_json(c);
  if (c.check) {
    const auto predicted = predict_chase_ratio(calibrated, c.check->footprint, [&](const std::string& line) {
      progress(ProgressKind::kStep, line);
    });
    report += render_check(c, predicted);
    j["check"]["predicted"] = predictions_json(predicted);
  }
  if (a.out.empty())
    report += "\nprofile: not written (--out FILE.toml writes it, --out - prints it)\n";
  else if (!to_stdout)
    report += fmt::format("\nprofile: {}\n", a.out);
  fmt::print(to_stdout ? stderr : stdout, "{}", report);
  if (to_stdout) fmt::print("{}", text);
  std::fflush(stdout);
  if (!a.out.empty() && !to_stdout) write_output_file({"--out", a.out}, text);
  if (!a.json.empty()) write_output_file({"--json", a.json}, j.dump(2) + "\n");
}

}  // namespace

void register_calibrate_command(CLI::App& app) {
  auto args = std::make_shared<CalibrateArgs>();
  auto* cmd = app.add_subcommand("calibrate", "Measure this host and write a machine profile");
  cmd->footer(
      "Measures, in well under a minute: the core clock (a chain of dependent adds, against /proc/cpuinfo);\n"
      "the load-to-use latency of each cache level and of DRAM (a dependent chase over every line of\n"
      "growing footprints on 2 MiB pages, plateaus matched to the sizes in "
      "/sys/devices/system/cpu/cpu0/cache);\n"
      "the TLBs (one line per page on 4 KiB against 2 MiB pages: where the latency steps, and by how much);\n"
      "and, where /dev/kvm runs guests natively on hardware virtualization, exit round trips (as `hvsim io\n"
      "measure`). Every point is repeated until the last 3 medians agree within 2%; the table shows each\n"
      "value's spread. The profile is configs/default.toml with the measured keys replaced (method and "
      "spread\n"
      "beside each) and every other key kept with its source: use it with `hvsim compare --profile FILE`.\n"
      "--check also measures an every-line chase over --max-footprint on 4 KiB and on 2 MiB pages, which no\n"
      "fit uses, and sets the ratio against the one hvsim predicts with the new profile (docs/fidelity.md).");
  cmd->add_option("--out", args->out, "Write the profile to this .toml file (atomically); '-' prints it")
      ->type_name("FILE");
  cmd->add_option("--json", args->json, "Also write every measurement and fit as JSON")->type_name("FILE");
  cmd->add_option("--max-footprint", args->max_footprint, "Largest footprint of the chases (1MiB..64GiB)")
      ->default_str("1GiB");
  cmd->add_option("--kvm-costs", args->kvm,
                  "Exit costs in the profile: auto (measured where they are hardware VM exits), measured "
                  "(wherever guests run natively, kvm_pvm included) or default")
      ->default_str("auto");
  cmd->add_flag(
      "--check", args->check,
      "Also check a prediction: 4 KiB / 2 MiB chase time ratio, measured vs hvsim with the profile");
  cmd->add_flag("--curves", args->curves, "Also print every point of the latency curves");
  cmd->callback([args] { run_calibrate(*args); });
}

}  // namespace hvsim
