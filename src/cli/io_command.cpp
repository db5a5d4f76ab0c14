#include "cli/io_command.h"

#include <fmt/format.h>

#include <sstream>

#include "cli/io_measure_command.h"
#include "cli/io_render.h"
#include "common/error.h"
#include "common/profile.h"
#include "common/units.h"
#include "io/io_config.h"
#include "io/io_simulation.h"
#include "report/atomic_file.h"

namespace hvsim {
namespace {

struct IoArgs {
  std::string guests = "1";
  std::string io_cores = "1";
  std::string io_model = "auto";
  std::string policies = "exit,exit-eventidx,exitless,hybrid,hybrid-rate";
  std::string load = "closed:1";
  std::string size = "1500";
  std::string requests = "100k";
  std::string warmup;  // default: a tenth of --requests
  std::string seed = "1";
  std::string profile = "default";
  std::string sweep;
  std::vector<std::string> settings;
  std::string json, csv;
  bool json_given = false, csv_given = false;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

// --sweep guests=1..8 or io-cores=1..4: the values of one parameter, one run each.
std::pair<std::string, std::vector<uint32_t>> parse_sweep(const std::string& text) {
  const auto eq = text.find('=');
  const auto dots = text.find("..");
  const std::string key = text.substr(0, eq);
  if (eq == std::string::npos || dots == std::string::npos || dots < eq ||
      (key != "guests" && key != "io-cores"))
    throw InputError(
        fmt::format("--sweep: '{}' is not a sweep; expected guests=A..B or io-cores=A..B", text));
  const auto lo = parse_count(text.substr(eq + 1, dots - eq - 1), "--sweep (first value)", 0, 4096);
  const auto hi = parse_count(text.substr(dots + 2), "--sweep (last value)", lo, 4096);
  std::vector<uint32_t> v;
  for (uint64_t x = lo; x <= hi; ++x) v.push_back(static_cast<uint32_t>(x));
  return {key, v};
}

std::vector<IoParams> plan(const IoArgs& a, const Profile& profile) {
  IoParams base;
  base.guests = static_cast<uint32_t>(parse_count(a.guests, "--guests", 0, 1u << 30));
  base.io_cores = static_cast<uint32_t>(parse_count(a.io_cores, "--io-cores", 0, 1u << 30));
  base.core_model = parse_io_core_model(a.io_model, "--io-model");
  base.load = parse_io_load(a.load, "--load");
  base.size = parse_size(a.size, "--size");
  base.requests = parse_count(a.requests, "--requests", 1, 1'000'000'000);
  base.warmup = a.warmup.empty() ? base.requests / 10 : parse_count(a.warmup, "--warmup", 0, 1'000'000'000);
  base.seed = parse_u64(a.seed, "--seed");
  base.frequency_ghz = profile.section<CoreConfig>().frequency_ghz;
  base.cfg = profile.section<IoConfig>();
  std::vector<IoPolicy> policies;
  for (const auto& name : split(a.policies, ',')) policies.push_back(parse_io_policy(name, "--policy"));
  if (policies.empty())
    throw InputError("--policy: no policy given; expected one of exit, exit-eventidx, ...");
  std::pair<std::string, std::vector<uint32_t>> sweep;
  if (!a.sweep.empty()) sweep = parse_sweep(a.sweep);
  std::vector<IoParams> runs;
  const size_t points = sweep.second.empty() ? 1 : sweep.second.size();
  for (size_t i = 0; i < points; ++i)
    for (IoPolicy policy : policies) {
      IoParams p = base;
      p.policy = policy;
      if (sweep.first == "guests") p.guests = sweep.second[i];
      if (sweep.first == "io-cores") p.io_cores = sweep.second[i];
      check_io_params(p);
      runs.push_back(p);
    }
  return runs;
}

void run_io(const IoArgs& a) {
  std::vector<OutputPath> outputs;
  if (a.json_given) outputs.push_back({"--json", a.json});
  if (a.csv_given) outputs.push_back({"--csv", a.csv});
  check_output_paths(outputs, {{"--profile", a.profile}});
  Profile profile = load_profile(a.profile);
  for (const auto& s : a.settings) apply_setting(profile, s);
  validate_profile(profile);
  const std::vector<IoParams> runs = plan(a, profile);  // every check before any simulation
  std::vector<IoResult> results;
  for (const IoParams& p : runs) results.push_back(simulate_io(p));
  fmt::print("{}", render_io_tables(results));
  if (a.json_given) write_output_file({"--json", a.json}, render_io_json(results, profile.name));
  if (a.csv_given) write_output_file({"--csv", a.csv}, render_io_csv(results));
}

}  // namespace

void register_io_command(CLI::App& app) {
  auto args = std::make_shared<IoArgs>();
  auto* cmd = app.add_subcommand(
      "io", "Paravirtual I/O: exit-based vs exitless notifications (a discrete-event model)");
  cmd->footer(
      "Simulates guests exchanging requests with a paravirtual device over split virtqueues and prints one\n"
      "table per policy: throughput, latency p50/p99/p99.9, exits/s by reason, interrupts/s, and the time\n"
      "split of guest cores and I/O cores. Costs are the profile's [io] keys (hvsim profile keys).\n"
      "Example: hvsim io --policy exit,exitless --load closed:1 --requests 200k (docs/io.md)");
  cmd->add_option("-g,--guests", args->guests, "Guests, one vCPU and one virtqueue each")->default_str("1");
  cmd->add_option("--io-cores", args->io_cores,
                  "Polling I/O cores shared by the guests round-robin (0: no I/O core, exits handled on the "
                  "guest's core)")
      ->default_str("1");
  cmd->add_option("--io-model", args->io_model,
                  "Device side: vhost (a worker per guest woken by kicks), poll (--io-cores polling cores), "
                  "none, or auto (vhost for exit policies, poll otherwise)")
      ->default_str("auto");
  cmd->add_option("--policy", args->policies,
                  "Policies, comma-separated: exit, exit-eventidx, exitless, hybrid, hybrid-rate")
      ->default_str("all five");
  cmd->add_option("--load", args->load,
                  "closed:W[:THINK] (W outstanding per guest, think time e.g. 5us) or "
                  "open:RATE[:poisson|constant|bursty] (requests/s per guest)")
      ->default_str("closed:1");
  cmd->add_option("--size", args->size, "Bytes per request")->default_str("1500");
  cmd->add_option("-n,--requests", args->requests, "Requests to measure, all guests")->default_str("100k");
  cmd->add_option("--warmup", args->warmup,
                  "Requests completed before measuring (default: a tenth of --requests)");
  cmd->add_option("--seed", args->seed, "Seed of the arrival processes")->default_str("1");
  cmd->add_option("--sweep", args->sweep, "One run per value: guests=A..B or io-cores=A..B");
  cmd->add_option("-p,--profile", args->profile, "Machine profile: default, systor2012, bare or a .toml file")
      ->default_str("default");
  cmd->add_option("--set", args->settings, "Override a profile key, e.g. --set io.kick_exit_cycles=5000");
  cmd->add_option("--json", args->json, "Also write the results as JSON to this file")
      ->each([args](const std::string&) { args->json_given = true; });
  cmd->add_option("--csv", args->csv, "Also write the results as CSV to this file")
      ->each([args](const std::string&) { args->csv_given = true; });
  for (auto* o : cmd->get_options())
    if (o->get_expected_max() == 1) o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  register_io_measure_command(*cmd);
  cmd->require_subcommand(0, 1);
  cmd->callback([args, cmd] {
    if (cmd->get_subcommands().empty()) run_io(*args);
  });
}

}  // namespace hvsim
