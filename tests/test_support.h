// Helpers shared by the test files: running the library on a workload, running the hvsim binary.
#pragma once

// AddressSanitizer builds: g++ defines __SANITIZE_ADDRESS__, clang answers __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define HVSIM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HVSIM_TEST_ASAN 1
#endif
#endif
#ifndef HVSIM_TEST_ASAN
#define HVSIM_TEST_ASAN 0
#endif
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "common/profile.h"
#include "machine/machine.h"
#include "schemes/scheme.h"
#include "sim/experiment.h"
#include "sim/simulation.h"
#include "vector_source.h"
#include "workload/generator.h"

namespace hvsim::test {

inline RunReport run_workload(const std::string& workload, const Profile& profile, const std::string& schemes,
                              uint64_t footprint, uint64_t accesses, bool verify = true, uint64_t seed = 1,
                              uint64_t warmup = 0) {
  WorkloadParams params;
  params.footprint = footprint;
  params.accesses = accesses + warmup;
  params.seed = seed;
  auto source = WorkloadRegistry::instance().find(workload)->factory(params);
  ExperimentOptions opt;
  opt.schemes = resolve_schemes(schemes);
  opt.verify = verify;
  opt.footprint_hint = footprint;
  opt.warmup_accesses = warmup;
  opt.threads = 2;
  return run_experiment(*source, profile, opt);
}

inline Event load(uint64_t va, uint32_t pid = 1) { return Event::access(EventKind::kLoad, va, 8, pid); }
inline Event store(uint64_t va, uint32_t pid = 1) { return Event::access(EventKind::kStore, va, 8, pid); }

// Runs `events` through the schemes with --verify, single-threaded.
inline RunReport run_events(const std::vector<Event>& events, const Profile& p, const std::string& schemes) {
  VectorSource src(events);
  ExperimentOptions opt;
  opt.schemes = resolve_schemes(schemes);
  opt.verify = true;
  opt.footprint_hint = 1ull << 30;
  opt.threads = 1;
  return run_experiment(src, p, opt);
}

// Every access checked against the reference, disagreements counted, small batches.
inline SimulationOptions verifying_options() {
  SimulationOptions o;
  o.verify = true;
  o.stop_on_mismatch = false;
  o.threads = 1;
  o.max_batch = 4096;
  return o;
}

// Runs one scheme on a hand-made stream through its own machine, counting the accesses whose
// answer differs from the reference translation.
struct SchemeDriver {
  Profile profile;
  Simulation sim;
  Scheme* scheme;

  SchemeDriver(Profile p, const char* name)
      : profile(std::move(p)),
        sim(profile, MachineSizing::for_footprint(profile, 2 * kGiB), {name}, verifying_options()),
        scheme(&sim.scheme(0)) {}
  void run(const std::vector<Event>& events) { sim.run(events); }
  uint64_t accesses() const { return sim.accesses(); }
  uint64_t mismatches() const { return sim.mismatches(); }
  Machine& machine() { return sim.machine(); }
  // Measuring starts now: stats() and detail() count from here (snapshot-and-subtract).
  void begin_measurement() { sim.begin_measurement(); }
  // A scheme-specific figure since measuring began, or `missing` when the scheme does not report it.
  double detail(const std::string& key, double missing = 0.0) {
    auto& d = stats().details;
    auto it = d.find(key);
    return it == d.end() ? missing : it->second;
  }
  // The scheme's figures since measuring began, priced with the profile's costs.
  const SchemeStats& stats() {
    measured_ = sim.measured().front();
    return measured_;
  }
  SchemeStats measured_;
};

inline const SchemeOutcome& outcome_of(const RunReport& r, const std::string& scheme) {
  for (auto& s : r.schemes)
    if (s.name == scheme) return s;
  throw std::runtime_error("scheme not in report: " + scheme);
}

inline const SchemeStats& stats_of(const RunReport& r, const std::string& scheme) {
  return outcome_of(r, scheme).stats;
}

inline double refs_per_walk(const SchemeStats& s) { return static_cast<double>(s.walk_mem_refs) / s.walks; }

struct CommandResult {
  int status = -1;
  std::string out, err;
};

// Runs the built hvsim with `args` (shell words), capturing stdout and stderr.
inline CommandResult run_hvsim(const std::string& args) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("hvsim-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string out = (dir / "out").string(), err = (dir / "err").string();
  std::string cmd = std::string(HVSIM_BINARY) + " " + args + " >" + out + " 2>" + err + " </dev/null";
  int rc = std::system(cmd.c_str());
  CommandResult r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  auto slurp = [](const std::string& p) {
    std::string s;
    if (FILE* f = std::fopen(p.c_str(), "rb")) {
      std::array<char, 4096> buf;
      size_t n;
      while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) s.append(buf.data(), n);
      std::fclose(f);
    }
    return s;
  };
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove_all(dir);
  return r;
}

}  // namespace hvsim::test
