#include "sweep/sweep_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "common/text_file.h"
#include "sim/preflight.h"
#include "sim/simulation.h"
#include "workload/trace/open_trace.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

// Sections whose keys size or tune a scheme's own structures: the machine never reads them.
const std::set<std::string, std::less<>> kInstanceSections = {"tlb",      "nested_tlb", "pwc",
                                                              "host_pwc", "cache",      "core"};

std::string canonical_value(const Profile& p, const std::string& key, const std::string& given) {
  try {
    return value_text(p.value(key));
  } catch (const std::logic_error&) {
    return given;  // a key of an open section (workload.*), kept as written
  }
}

// What names the profile in a point's configuration: a file by its path and contents.
std::string profile_identity(const ExperimentFile& e) {
  if (!fs::exists(e.profile)) return e.profile;
  const std::string text = read_bounded_file(e.profile, kMaxProfileBytes, "profile file");
  return fmt::format("{} {}", fs::absolute(e.profile).lexically_normal().string(), text_hash(text));
}

std::vector<SweepJob> jobs_of(const ExperimentFile& e) {
  std::vector<SweepJob> jobs;
  for (const auto& w : e.workloads) jobs.push_back({w, ""});
  for (const auto& t : e.traces) {
    open_trace(t, "");  // a missing or unreadable trace fails now, before anything runs
    jobs.push_back({fs::path(t).filename().string(), fs::absolute(t).lexically_normal().string()});
  }
  return jobs;
}

// The costs each scheme's decisions read: a point that changes one of them is simulated.
std::map<std::string, std::vector<Cost>> decision_costs(const Profile& base,
                                                        const std::vector<std::string>& schemes) {
  SimulationOptions options;
  options.threads = 1;
  Simulation sim(base, MachineSizing::for_footprint(base, uint64_t{1} << 20), schemes, options);
  std::map<std::string, std::vector<Cost>> out;
  for (const auto& s : sim.schemes()) out[s->name] = s->decision_costs;
  return out;
}

const ConfigKey* find_key(const std::string& key) {
  const auto dot = key.find('.');
  const ConfigSection* s = ConfigRegistry::instance().find(key.substr(0, dot));
  return s && dot != std::string::npos ? s->find(key.substr(dot + 1)) : nullptr;
}

// The associativity key of a structure's `*entries` key: tlb.l2_entries -> tlb.l2_ways, or the
// section's shared `ways` (pwc.pde_entries -> pwc.ways).
std::string ways_key_of(const std::string& entries_key) {
  if (!entries_key.ends_with("entries")) return {};
  std::string k = entries_key.substr(0, entries_key.size() - 7) + "ways";
  if (find_key(k)) return k;
  k = entries_key.substr(0, entries_key.find('.')) + ".ways";
  return find_key(k) ? k : "";
}

struct Builder {
  const ExperimentFile& e;
  const Profile& base;
  std::string header;             // the experiment-wide part of every point's canonical text
  std::set<std::string> checked;  // configurations already through check_configuration
  std::vector<std::string>& notes;

  bool given(const std::string& key) const {
    return std::any_of(e.set.begin(), e.set.end(), [&](auto& a) { return a.key == key; }) ||
           std::any_of(e.axes.begin(), e.axes.end(), [&](auto& a) { return a.key == key; });
  }

  // An axis of entries the profile's associativity does not divide (512 entries of a 12-way
  // TLB) takes the largest associativity below it that does, unless the experiment sets the
  // ways itself; the key joins the point's configuration and a note says so.
  void fit_ways(Profile& p, const Axis& axis, std::map<std::string, std::string>& keys) {
    const std::string ways_key = ways_key_of(axis.key);
    if (ways_key.empty() || given(ways_key)) return;
    const ConfigValue entries_value = p.value(axis.key), ways_value = p.value(ways_key);
    const auto *entries = std::get_if<uint64_t>(&entries_value), *ways = std::get_if<uint64_t>(&ways_value);
    if (!entries || !ways || *entries == 0 || *ways == 0 || *ways > *entries || *entries % *ways == 0) return;
    uint64_t fit = *ways;
    while (*entries % fit) --fit;
    p.set(ways_key, std::to_string(fit), axis.where);
    keys[ways_key] = std::to_string(fit);
    std::string note =
        fmt::format("{}: {}={} is not whole sets of {}={}; those points use {}={} (set {} to choose)",
                    axis.where, axis.key, *entries, ways_key, *ways, ways_key, fit, ways_key);
    if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
  }

  SweepPoint make(const std::vector<SweepJob>& jobs, size_t job, uint64_t seed,
                  const std::vector<size_t>& pick) {
    const SweepJob& j = jobs[job];
    SweepPoint p;
    p.job = job;
    p.seed = seed;
    p.profile = std::make_unique<Profile>(base);
    std::map<std::string, std::string> keys;
    for (const auto& s : e.set) keys[s.key] = canonical_value(base, s.key, s.value);
    for (size_t a = 0; a < e.axes.size(); ++a) {
      const Axis& axis = e.axes[a];
      p.profile->set(axis.key, axis.values[pick[a]], axis.where);
      p.values.push_back(canonical_value(*p.profile, axis.key, axis.values[pick[a]]));
      keys[axis.key] = p.values.back();
      fit_ways(*p.profile, axis, keys);
    }
    p.canonical = header + (j.trace.empty() ? "workload=" + j.name : "trace=" + j.trace) + "\n";
    p.canonical += fmt::format("seed={}\n", j.trace.empty() ? seed : 0);
    for (const auto& [k, v] : keys) p.canonical += k + "=" + v + "\n";
    p.hash = text_hash(p.canonical);
    check(p, j, describe(j, p));
    return p;
  }

  std::string describe(const SweepJob& j, const SweepPoint& p) const {
    std::string s = j.name;
    for (size_t a = 0; a < e.axes.size(); ++a) s += fmt::format(" {}={}", e.axes[a].key, p.values[a]);
    return s;
  }

  // Each distinct simulated configuration is checked once, naming the point on failure.
  void check(const SweepPoint& p, const SweepJob& j, const std::string& what) {
    std::string simulated;
    for (size_t a = 0; a < e.axes.size(); ++a)
      if (key_role(e.axes[a].key) != KeyRole::kCost) simulated += e.axes[a].key + "=" + p.values[a] + "\n";
    try {
      validate_profile(*p.profile);
      if (checked.insert(simulated).second)
        check_configuration(*p.profile, e.schemes, j.trace.empty() ? e.footprint : 0);
    } catch (const InputError& err) {
      throw InputError(fmt::format("{}: point '{}': {}", e.path, what, err.what()));
    }
  }
};

std::string experiment_header(const ExperimentFile& e) {
  std::string schemes;
  for (const auto& s : e.schemes) schemes += (schemes.empty() ? "" : ",") + s;
  return fmt::format("accesses={}\nfootprint={}\nprofile={}\nschemes={}\nwarmup={}\n", e.accesses,
                     e.footprint, profile_identity(e), schemes, e.warmup);
}

// The whole experiment as text: two files that give the same grid give the same text.
std::string experiment_canonical(const ExperimentFile& e, const Profile& base, const std::string& header) {
  std::string s = header;
  for (const auto& w : e.workloads) s += "workload=" + w + "\n";
  for (const auto& t : e.traces) s += "trace=" + fs::absolute(t).lexically_normal().string() + "\n";
  for (uint64_t seed : e.seeds) s += fmt::format("seed={}\n", seed);
  for (const auto& a : e.set) s += "set " + a.key + "=" + canonical_value(base, a.key, a.value) + "\n";
  for (const auto& a : e.axes) {
    s += "axis " + a.key + "=";
    for (size_t i = 0; i < a.values.size(); ++i) s += (i ? "," : "") + a.values[i];
    s += "\n";
  }
  return s;
}

// Points in grid order: jobs, then seeds, then the axes with the first one slowest.
void enumerate(SweepPlan& plan, Builder& b) {
  const auto& axes = plan.experiment.axes;
  for (size_t job = 0; job < plan.jobs.size(); ++job)
    for (uint64_t seed : plan.experiment.seeds) {
      std::vector<size_t> pick(axes.size(), 0);
      for (;;) {
        plan.points.push_back(b.make(plan.jobs, job, seed, pick));
        size_t a = axes.size();
        while (a > 0 && ++pick[a - 1] == axes[a - 1].values.size()) pick[--a] = 0;
        if (a == 0) break;
      }
      if (!plan.jobs[job].trace.empty()) break;  // a trace has no seed
    }
}

bool decides_with(const std::vector<Cost>& decides, const std::string& key) {
  auto c = find_cost(key);
  return c && std::find(decides.begin(), decides.end(), *c) != decides.end();
}

void group(SweepPlan& plan, const std::map<std::string, std::vector<Cost>>& decides) {
  const auto& axes = plan.experiment.axes;
  std::map<std::string, size_t> pass_of;
  std::vector<std::map<std::string, size_t>> units_of_pass;
  for (size_t i = 0; i < plan.points.size(); ++i) {
    const SweepPoint& p = plan.points[i];
    std::string layout = fmt::format("{} {}\n", p.job, p.seed), instance;
    for (size_t a = 0; a < axes.size(); ++a) {
      const KeyRole role = key_role(axes[a].key);
      if (role == KeyRole::kLayout) layout += axes[a].key + "=" + p.values[a] + "\n";
      if (role == KeyRole::kInstance) instance += axes[a].key + "=" + p.values[a] + "\n";
    }
    auto [it, fresh] = pass_of.try_emplace(layout, plan.passes.size());
    if (fresh) {
      plan.passes.emplace_back();
      units_of_pass.emplace_back();
    }
    SweepPass& pass = plan.passes[it->second];
    auto& units = units_of_pass[it->second];
    pass.points.push_back(i);
    std::vector<size_t> of;
    for (const auto& scheme : plan.experiment.schemes) {
      std::string key = scheme + "\n" + instance;
      for (size_t a = 0; a < axes.size(); ++a)
        if (key_role(axes[a].key) == KeyRole::kCost && decides_with(decides.at(scheme), axes[a].key))
          key += axes[a].key + "=" + p.values[a] + "\n";
      auto [u, added] = units.try_emplace(key, pass.units.size());
      if (added) pass.units.push_back({scheme, i});
      of.push_back(u->second);
    }
    pass.unit_of.push_back(std::move(of));
  }
  for (const auto& pass : plan.passes) plan.units += pass.units.size();
}

}  // namespace

SweepPlan plan_sweep(ExperimentFile experiment) {
  SweepPlan plan;
  plan.experiment = std::move(experiment);
  const ExperimentFile& e = plan.experiment;
  Profile base = load_profile(e.profile);
  for (const auto& s : e.set) base.set(s.key, s.value, s.where);
  if (!e.workloads.empty() && e.footprint < 4096)
    throw InputError(
        fmt::format("{}: footprint {} is too small; expected at least 4KiB", e.path, e.footprint));
  plan.jobs = jobs_of(e);
  const std::string header = experiment_header(e);
  plan.canonical = experiment_canonical(e, base, header);
  Builder b{e, base, header, {}, plan.notes};
  enumerate(plan, b);
  group(plan, decision_costs(*plan.points.front().profile, e.schemes));
  return plan;
}

KeyRole key_role(const std::string& key) {
  const std::string section = key.substr(0, key.find('.'));
  if (section == "costs") return KeyRole::kCost;
  if (kInstanceSections.count(section) || SchemeRegistry::instance().find(section)) return KeyRole::kInstance;
  return KeyRole::kLayout;
}

std::string text_hash(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

std::string describe_point(const SweepPlan& plan, const SweepPoint& p) {
  std::string s = plan.jobs[p.job].name;
  if (plan.experiment.seeds.size() > 1) s += fmt::format(" seed={}", p.seed);
  for (size_t a = 0; a < plan.experiment.axes.size(); ++a)
    s += fmt::format(" {}={}", plan.experiment.axes[a].key, p.values[a]);
  return s;
}

}  // namespace hvsim
