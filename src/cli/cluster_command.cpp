#include "cli/cluster_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <functional>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cluster_output.h"
#include "cli/cluster_translation.h"
#include "cluster/trace_readers.h"
#include "common/error.h"
#include "common/profile.h"
#include "common/units.h"
#include "report/atomic_file.h"

namespace hvsim {
namespace {

struct ClusterArgs {
  std::string pods, nodes, format = "openb", policies = "tightest", allocators = "first-fit", mode = "replay";
  std::string hosts, host_memory, load = "0.9", vms, profile = "default";
  std::vector<std::string> settings;
  std::string json, csv, segments_out;
  bool json_given = false, csv_given = false, segments_given = false;
  TranslationArgs translation;
};

std::vector<std::string> split_list(const std::string& text, const std::vector<std::string>& all) {
  if (text == "all") return all;
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// The hosts: the node list scaled to --hosts N (fewer: every (size/N)-th host, keeping the mix of
// host types; more: the list repeated); or N hosts of --host-memory.
std::vector<HostSpec> cluster_hosts(const ClusterArgs& a) {
  const uint64_t n = a.hosts.empty() ? 0 : parse_count(a.hosts, "--hosts", 1, 10'000'000);
  if (a.nodes.empty()) {
    if (a.host_memory.empty() || n == 0)
      throw InputError("--nodes: no host list; expected --nodes FILE, or --hosts N with --host-memory SIZE");
    const uint64_t bytes = parse_size(a.host_memory, "--host-memory");
    if (bytes < (uint64_t{1} << 20)) throw InputError("--host-memory: expected at least 1MiB");
    return std::vector<HostSpec>(n, HostSpec{bytes >> 20, 0, 0});
  }
  std::vector<HostSpec> listed = read_host_list(a.nodes);
  if (n == 0) return listed;
  std::vector<HostSpec> out(n);
  for (uint64_t i = 0; i < n; ++i)
    out[i] = n < listed.size() ? listed[i * listed.size() / n] : listed[i % listed.size()];
  return out;
}

double parse_load(const std::string& text) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v > 0 && v <= 2) return v;
  } catch (const std::exception&) {
  }
  throw InputError("--load: '" + text +
                   "' is not valid; expected a memory load above 0 and at most 2 (0.9 = 90%)");
}

std::string settings_json(const Profile& p, const ClusterArgs& a, const VmTrace& t) {
  nlohmann::json s = {{"pods", a.pods},
                      {"nodes", a.nodes},
                      {"format", a.format},
                      {"mode", a.mode},
                      {"has_times", t.has_times}};
  for (const ConfigSection* sec : ConfigRegistry::instance().sections())
    if (sec->name == "cluster")
      for (auto& k : sec->keys) s[k->key()] = k->text(&p.section<ClusterConfig>());
  return s.dump();
}

// A progress line on a terminal: which run of how many, and how far it is. Redrawn at most twice
// a second; erased when the run ends, so the table below starts on a clean line.
class ClusterProgress {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ClusterProgress(size_t runs) : runs_(runs), on_(::isatty(STDERR_FILENO) == 1) {}
  std::function<void(uint64_t, uint64_t)> for_run(size_t k, const std::string& label) {
    if (!on_) return {};
    return [this, k, label](uint64_t done, uint64_t total) {
      const auto now = Clock::now();
      if (done < total && now - last_ < std::chrono::milliseconds(500)) return;
      last_ = now;
      fmt::print(stderr, "\r{:<72}",
                 fmt::format("cluster: {} ({} of {}): {:.0f}% of {} events, {:.0f} s", label, k + 1, runs_,
                             100.0 * static_cast<double>(done) / total, total,
                             std::chrono::duration<double>(now - t0_).count()));
      if (done == total && k + 1 == runs_) fmt::print(stderr, "\r{:72}\r", "");
    };
  }

 private:
  size_t runs_;
  bool on_;
  Clock::time_point t0_ = Clock::now(), last_ = t0_ - std::chrono::seconds(1);
};

void run_cluster(const ClusterArgs& a) {
  if (a.pods.empty()) throw InputError("--pods: expected a VM trace file");
  std::vector<OutputPath> outputs, inputs = {{"--pods", a.pods}};
  if (!a.nodes.empty()) inputs.push_back({"--nodes", a.nodes});
  if (a.json_given) outputs.push_back({"--json", a.json});
  if (a.csv_given) outputs.push_back({"--csv", a.csv});
  if (a.segments_given) outputs.push_back({"--segments-out", a.segments_out});
  check_output_paths(outputs, inputs);
  Profile profile = load_profile(a.profile);
  for (const auto& s : a.settings) apply_setting(profile, s);
  validate_profile(profile);
  const ClusterConfig& config = profile.section<ClusterConfig>();
  ReplayOptions o;
  o.mode = parse_replay_mode(a.mode);
  o.target_load = parse_load(a.load);
  o.steady_vms = a.vms.empty() ? 0 : parse_count(a.vms, "--vms", 1, 1'000'000'000);
  o.keep_segments = a.segments_given;
  std::vector<PlacementPolicy> policies;
  for (const auto& p : split_list(a.policies, policy_names())) policies.push_back(parse_policy(p));
  std::vector<AllocatorKind> allocators;
  for (const auto& n : split_list(a.allocators, allocator_names()))
    allocators.push_back(parse_allocator_kind(n));
  const TraceFormat format = parse_trace_format(a.format);
  check_translation(a.translation);
  const std::vector<HostSpec> hosts = cluster_hosts(a);
  const VmTrace trace = read_vm_trace(a.pods, format);
  for (const auto& w : trace.warnings) fmt::print(stderr, "hvsim: warning: {}\n", w);
  if (!trace.has_times && o.mode == ReplayMode::kReplay) o.mode = ReplayMode::kArrival;

  std::vector<ClusterRun> runs;
  ClusterProgress progress(policies.size() * allocators.size());
  for (const PlacementPolicy& p : policies)
    for (AllocatorKind k : allocators) {
      o.progress = progress.for_run(runs.size(), policy_name(p) + " " + allocator_name(k));
      ClusterRun r{policy_name(p), allocator_name(k), trace.vms.size(), trace.skipped_never_ran,
                   replay(trace, hosts, config, k, p, o)};
      runs.push_back(std::move(r));
    }
  const ReplayResult& first = runs.front().result;
  fmt::print("cluster: {} hosts, {} usable; {} VMs from {} ({} never ran, skipped); mode {}{}\n", first.hosts,
             format_size_approx(first.usable_bytes), trace.vms.size(), a.pods, trace.skipped_never_ran,
             replay_mode_name(o.mode),
             o.mode == ReplayMode::kSteady ? fmt::format(", offered load {}", o.target_load) : "");
  fmt::print("{}", render_cluster_table(runs));
  fmt::print("{}", translation_report(a.translation, runs, profile));
  if (a.json_given)
    write_output_file({"--json", a.json}, render_cluster_json(runs, settings_json(profile, a, trace)));
  if (a.csv_given) write_output_file({"--csv", a.csv}, render_cluster_csv(runs));
  if (a.segments_given)
    write_output_file({"--segments-out", a.segments_out}, render_segment_list(runs, config.granule));
}

}  // namespace

void register_cluster_command(CLI::App& app) {
  auto args = std::make_shared<ClusterArgs>();
  CLI::App* cmd = app.add_subcommand(
      "cluster", "VM placement over hosts whose memory is an address range: how many VMs get one segment");
  cmd->add_option("--pods", args->pods,
                  "VM trace: openb pod list, Azure vmtable (plain or .gz) or start,end,memory CSV");
  cmd->add_option("--nodes", args->nodes, "Host list: openb node list or a memory[,cpu,gpu] CSV");
  cmd->add_option("--format", args->format, "Trace format: openb, azure-v1, azure-v2, csv")
      ->default_str("openb");
  cmd->add_option(
         "--policy", args->policies,
         "Placement policies, comma-separated or 'all': packing, tightest, spreading, random, each also "
         "-seg (segment-aware) and -migrate (one migration before splitting)")
      ->default_str("tightest");
  cmd->add_option("--allocator", args->allocators,
                  "Allocators inside a host, comma-separated or 'all': first-fit, best-fit, aligned, buddy")
      ->default_str("first-fit");
  cmd->add_option("--mode", args->mode,
                  "replay (real times), steady (resampled at --load), arrival (no departures)")
      ->default_str("replay");
  cmd->add_option("--hosts", args->hosts,
                  "Scale the cluster to N hosts (every k-th listed host, or the list repeated)");
  cmd->add_option("--host-memory", args->host_memory, "Without --nodes: --hosts N hosts of this much memory");
  cmd->add_option("--load", args->load, "Steady state: offered memory load (0.9 = 90%)")->default_str("0.9");
  cmd->add_option("--vms", args->vms, "Steady state: VM arrivals (default: as many as the trace has)");
  cmd->add_option("-p,--profile", args->profile, "Profile whose [cluster] keys apply")
      ->default_str("default");
  cmd->add_option("--set", args->settings,
                  "Override a key, e.g. --set cluster.segments=2 (see `hvsim profile keys`)");
  cmd->add_option("--json", args->json, "Also write the results as JSON")->each([args](const std::string&) {
    args->json_given = true;
  });
  cmd->add_option("--csv", args->csv, "Also write the results as CSV")->each([args](const std::string&) {
    args->csv_given = true;
  });
  cmd->add_option("--segments-out", args->segments_out, "Write each VM's host and segment list as CSV")
      ->each([args](const std::string&) { args->segments_given = true; });
  cmd->add_option("--translation", args->translation.workload,
                  "Also run vm-segment with each observed segment count and nested on this workload (see "
                  "`hvsim workloads`): the fleet's VM-weighted translation overhead");
  cmd->add_option("--translation-footprint", args->translation.footprint,
                  "Footprint of the --translation workload")
      ->default_str("1GiB");
  cmd->add_option("--translation-accesses", args->translation.accesses,
                  "Accesses of the --translation workload")
      ->default_str("1M");
  for (auto* o : cmd->get_options())
    if (o->get_expected_max() == 1) o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->callback([args] { run_cluster(*args); });
}

}  // namespace hvsim
