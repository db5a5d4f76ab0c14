#include "cli/compare_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "cli/profile_command.h"
#include "cli/report_command.h"
#include "cli/reprice_command.h"
#include "common/error.h"
#include "common/memory_budget.h"
#include "common/units.h"
#include "paging/paging_config.h"
#include "report/atomic_file.h"
#include "report/result_json.h"
#include "report/writers.h"
#include "sim/experiment.h"
#include "sim/preflight.h"
#include "sim/warmup.h"
#include "workload/generator.h"
#if __has_include("workload/trace/open_trace.h")
#include "workload/trace/open_trace.h"
#define HVSIM_HAVE_TRACES 1
#endif

namespace hvsim {
namespace {

struct CompareArgs {
  std::string workloads = "gups,stream,chase,zipf";
  std::string trace, format;
  std::string footprint = "1GiB";
  std::string accesses = "1M";
  std::string warmup = "auto";
  std::string epoch = "0";
  std::string seed = "1";
  std::string memory_limit;  // empty: the default (half of physical memory)
  std::string schemes = "all";
  std::string profile = "default";
  std::vector<std::string> settings;
  std::string json, csv, report;
  bool verify = false;
  unsigned threads = 0;
  bool workload_given = false;
  bool trace_given = false, json_given = false, csv_given = false, report_given = false;
  BreakEvenArgs break_even;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// A count, or "auto" (handled by the caller); the error says both are accepted.
uint64_t parse_warmup(const std::string& text) {
  try {
    return parse_count(text, "--warmup", 0);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{} (or auto)", e.what()));
  }
}

void run_compare(const CompareArgs& a) {
  // Cheap checks first, output paths among them: nothing is simulated before they pass.
  if (a.trace_given && a.trace.empty())
    throw InputError("--trace: the file name is empty; expected a trace file");
  std::vector<OutputPath> outputs;
  if (a.json_given) outputs.push_back({"--json", a.json});
  if (a.csv_given) outputs.push_back({"--csv", a.csv});
  std::vector<OutputPath> inputs = {{"--profile", a.profile}};
  if (!a.trace.empty()) inputs.push_back({"--trace", a.trace});
  check_output_paths(outputs, inputs);
  if (a.report_given) check_report_folder(a.report);
  auto& budget = MemoryBudget::instance();
  if (!a.memory_limit.empty())
    budget.set_limit(parse_size(a.memory_limit, "--memory-limit"), "--memory-limit " + a.memory_limit);

  Profile profile = load_profile(a.profile);
  for (const auto& s : a.settings) apply_setting(profile, s);
  validate_profile(profile);

  WorkloadParams params;
  params.footprint = parse_size(a.footprint, "--footprint");
  if (params.footprint < 4096)
    throw InputError(fmt::format("--footprint: '{}' is too small; expected at least 4KiB", a.footprint));
  if (params.footprint > (uint64_t{1} << 46))
    throw InputError(fmt::format("--footprint: '{}' is too large; expected at most 64TiB", a.footprint));
  // Workloads place their data from kWorkloadHeapBase up; it must stay in the canonical lower
  // half of the guest's virtual address space (128TiB with 4 levels, 64PiB with 5).
  const int guest_levels = profile.section<PagingConfig>().guest_levels;
  const uint64_t va_top = uint64_t{1} << (12 + 9 * guest_levels - 1);
  if (params.footprint > va_top - kWorkloadHeapBase)
    throw InputError(fmt::format(
        "--footprint: '{}' is too large for {}-level guest paging; expected at most {} (workloads start at "
        "guest-virtual {:#x}; paging.guest_levels=5 allows up to 64TiB)",
        a.footprint, guest_levels, format_size(va_top - kWorkloadHeapBase), kWorkloadHeapBase));
  params.accesses = parse_count(a.accesses, "--accesses");
  const bool warmup_auto = a.warmup == "auto";
  const uint64_t warmup = warmup_auto ? 0 : parse_warmup(a.warmup);
  const uint64_t measured = params.accesses;
  // Generators produce the warm-up on top of the measured accesses; an automatic one ends at
  // its bound at the latest, and the run stops once `measured` accesses are measured.
  params.accesses += warmup_auto ? AutoWarmupRule{}.max_accesses : warmup;
  params.seed = parse_u64(a.seed, "--seed");
  params.options = profile.section<WorkloadSettings>().options;

  ExperimentOptions opt;
  opt.schemes = resolve_schemes(a.schemes);
  opt.verify = a.verify;
  opt.threads = a.threads;
  opt.progress = ::isatty(2);
  opt.warmup_accesses = warmup;
  opt.warmup_auto = warmup_auto;
  opt.epoch_accesses = parse_count(a.epoch, "--epoch", 0);

  // Resolve every workload before running any, so a typo fails fast.
  struct Job {
    std::string name;
    std::function<std::unique_ptr<EventSource>()> open;
    uint64_t footprint;
  };
  std::vector<Job> jobs;
  if (!a.trace.empty()) {
#ifdef HVSIM_HAVE_TRACES
    if (a.workload_given) throw InputError("--trace and --workload exclude each other; give one");
    std::string path = a.trace, fmt_name = a.format;
    // Opened once, now (a missing or unreadable file fails before anything runs), and the job
    // takes this source: a pipe cannot be opened twice.
    auto opened = std::make_shared<std::unique_ptr<EventSource>>(open_trace_read_ahead(path, fmt_name));
    jobs.push_back({std::filesystem::path(path).filename().string(),
                    [opened, path, fmt_name] {
                      return *opened ? std::move(*opened) : open_trace_read_ahead(path, fmt_name);
                    },
                    0});
#else
    throw InputError("--trace: trace input is not available in this build");
#endif
  } else {
    for (const auto& w : split(a.workloads)) {
      auto* entry = WorkloadRegistry::instance().find(w);
      if (!entry)
        throw InputError(fmt::format("--workload: unknown workload '{}'; expected one of: {}", w,
                                     WorkloadRegistry::instance().names()));
      auto factory = entry->factory;
      entry->factory(params);  // validates the workload options
      jobs.push_back({w, [factory, params] { return factory(params); }, params.footprint});
    }
    if (jobs.empty()) throw InputError("--workload: no workload given");
  }

  check_break_even(a.break_even, opt.schemes);
  check_configuration(profile, opt.schemes, jobs.front().footprint);

  std::vector<RunReport> reports;
  for (size_t j = 0; j < jobs.size(); ++j) {
    auto source = jobs[j].open();
    opt.footprint_hint = jobs[j].footprint;
    opt.expected_events = a.trace.empty() && !warmup_auto ? params.accesses + 1 : 0;
    opt.measure_accesses = a.trace.empty() ? measured : 0;
    opt.label = jobs[j].name;
    budget.begin_run(jobs[j].name);
    RunReport r = run_experiment(*source, profile, opt);
    budget.end_run();
    r.workload = jobs[j].name;
    r.footprint = jobs[j].footprint;
    r.seed = a.trace.empty() ? params.seed : 0;
    fmt::print("{}{}", j ? "\n" : "", render_table(r, profile));
    std::fflush(stdout);
    reports.push_back(std::move(r));
  }
  fmt::print("{}", break_even_report(a.break_even, reports, profile.costs));
  if (a.json_given) write_output_file({"--json", a.json}, render_json(reports, profile));
  if (a.csv_given) write_output_file({"--csv", a.csv}, render_csv(reports, profile));
  if (a.report_given) write_report_folder(a.report, render_json(reports, profile));
}

}  // namespace

void register_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand(
      "compare", "Run every selected translation scheme on the same workload and compare their costs");
  cmd->footer(
      "Runs every selected translation scheme on the same event stream and prints one table per workload\n"
      "(rows: schemes; columns: TLB misses per 1000 accesses, page walks, memory references per walk,\n"
      "walk cycles per access, VM exits, hypervisor cycles, translation overhead, slowdown vs native,\n"
      "speed-up vs nested). Without --workload or --trace it runs the built-in set gups,stream,chase,zipf.\n"
      "Example: hvsim compare --workload gups --footprint 4GiB --schemes native,nested,shadow --json "
      "out.json");
  auto* w = cmd->add_option("-w,--workload", args->workloads,
                            "Built-in workload(s), comma-separated (see `hvsim workloads`)")
                ->default_str("gups,stream,chase,zipf");
  w->each([args](const std::string&) { args->workload_given = true; });
#ifdef HVSIM_HAVE_TRACES
  cmd->add_option("--trace", args->trace, "Read the event stream from a trace file instead of a generator")
      ->each([args](const std::string&) { args->trace_given = true; });
  cmd->add_option("--format", args->format, "Trace format (default: sniffed from the file)");
#endif
  cmd->add_option("--footprint", args->footprint, "Memory the workload spans: bytes or KiB/MiB/GiB/TiB")
      ->default_str("1GiB");
  cmd->add_option("-n,--accesses", args->accesses,
                  "Memory accesses to simulate per workload (1000000, 1e6 or 1M; at most 1e12)")
      ->default_str("1M");
  cmd->add_option("--warmup", args->warmup,
                  "Accesses to simulate before measuring starts (TLBs, caches and page tables stay warm; "
                  "at most 1e12, and fewer than a trace has); auto: until the workload's first touches of "
                  "pages fall below 0.1% of its accesses, or stop falling below 1% (a streaming workload), "
                  "at most 64M; the header says how many it took; 0: measure the cold start")
      ->type_name("N|auto")
      ->default_str("auto");
  cmd->add_option("--epoch", args->epoch,
                  "Also record every figure of every scheme each N measured accesses, into the JSON's "
                  "workload \"epochs\" (at most 1024 kept: finer ones are merged pairwise); 0 = off")
      ->type_name("N")
      ->default_str("0");
  cmd->add_option("--seed", args->seed, "Seed of the workload generators: an integer from 0 to 2^64-1")
      ->default_str("1");
  cmd->add_option("-s,--schemes", args->schemes,
                  "Schemes to run, comma-separated, or 'all' (see `hvsim schemes`)")
      ->default_str("all");
  cmd->add_option("-p,--profile", args->profile,
                  "Machine profile: a built-in name (default, bare) or a .toml file")
      ->default_str("default");
  cmd->add_option(
      "--set", args->settings,
      "Override a profile key, e.g. --set paging.guest_levels=5 (repeatable; see `hvsim profile keys`)");
  cmd->add_option(
         "--json", args->json,
         "Also write the results as JSON to this file (format: docs/output.md); checked before the run")
      ->each([args](const std::string&) { args->json_given = true; });
  cmd->add_option("--csv", args->csv, "Also write the results as CSV to this file; checked before the run")
      ->each([args](const std::string&) { args->csv_given = true; });
  cmd->add_option(
         "--report", args->report,
         "Also write DIR/report.html (plots, see `hvsim report`) and DIR/results.json; checked before "
         "the run")
      ->type_name("DIR")
      ->each([args](const std::string&) { args->report_given = true; });
  cmd->add_option(
         "--memory-limit", args->memory_limit,
         fmt::format("Memory the run may use (simulated page tables, TLBs, caches, processes): a "
                     "configuration that cannot fit is refused (exit status 2), a run that outgrows it stops "
                     "(exit status 3); default: half of physical memory, here {}",
                     format_size_approx(MemoryBudget::default_limit())))
      ->type_name("SIZE");
  add_break_even_options(cmd, args->break_even);
  cmd->add_flag("--verify", args->verify,
                "Check on every access that all schemes yield the same host-physical address");
  cmd->add_option("-j,--threads", args->threads, "Worker threads for the schemes (default: one per core)");
  // A later occurrence of an option overrides an earlier one, so scripts can append overrides.
  for (auto* o : cmd->get_options())
    if (o->get_expected_max() == 1) o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->callback([args] { run_compare(*args); });
}

void register_info_commands(CLI::App& app) {
  app.add_subcommand("schemes", "List the translation schemes")->callback([] {
    for (auto* e : SchemeRegistry::instance().all()) fmt::print("{:<14} {}\n", e->name, e->description);
  });
  app.add_subcommand("workloads", "List the built-in workload generators")->callback([] {
    for (auto* e : WorkloadRegistry::instance().all()) fmt::print("{:<14} {}\n", e->name, e->description);
  });
  register_profile_command(app);
}

}  // namespace hvsim
