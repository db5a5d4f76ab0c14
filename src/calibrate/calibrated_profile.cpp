#include "calibrate/calibrated_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/profile.h"
#include "common/units.h"
#include "profiles_embedded.h"

namespace hvsim {
namespace {

using Edits = std::vector<ProfileEdit>;

std::string cycles_int(double c) {
  return fmt::format("{}", static_cast<uint64_t>(std::llround(std::max(0.0, c))));
}
std::string quoted(const std::string& s) { return "\"" + s + "\""; }

uint64_t default_integer(const std::string& key) {
  static const Profile base = load_profile("default");
  const ConfigValue v = base.value(key);
  return std::holds_alternative<uint64_t>(v) ? std::get<uint64_t>(v) : 0;
}

std::string spread_text(double cycles, const Spread& ns) {
  return fmt::format("{:.1f} cycles, {:.2f} ns; runs {:.2f}/{:.2f}/{:.2f} ns (min/median/max of {})", cycles,
                     ns.median, ns.min, ns.median, ns.max, ns.runs);
}

const CacheLevelInfo* sysfs_level(const Calibration& c, uint32_t level) {
  for (const auto& l : c.topology.data)
    if (l.level == level) return &l;
  return nullptr;
}

// size and ways of one level from sysfs, into the model's geometry; `how` says where the size
// comes from (default: sysfs).
void geometry_edits(Edits& e, const std::string& name, const CacheLevelInfo& l, uint32_t line,
                    std::string how = "") {
  const uint32_t ways = l.ways ? l.ways : static_cast<uint32_t>(default_integer("cache." + name + "_ways"));
  const uint64_t size = representable_cache_size(l.size, ways, line);
  if (how.empty())
    how = fmt::format("sysfs: L{} {}, {}-way, {} sets", l.level, format_size(l.size), l.ways, l.sets);
  if (size != l.size)
    how += fmt::format(" (the model needs a power-of-two set count: the largest such size below)");
  e.push_back({"cache", name + "_size", quoted(format_size(size)), how});
  if (l.ways) e.push_back({"cache", name + "_ways", std::to_string(ways), "sysfs ways_of_associativity"});
}

void latency_edit(Edits& e, const Calibration& c, const std::string& key, const LevelFit& f) {
  if (!f.found) {
    e.push_back({"cache", key, std::nullopt, "kept: not measured (" + f.note + ")"});
    return;
  }
  const Spread ns = c.lines.spread_between(f.from, f.to);
  e.push_back({"cache", key, cycles_int(f.cycles),
               fmt::format("measured: every-line chase on 2 MiB pages, plateau {}..{}: {}",
                           format_size(f.from), format_size(f.to), spread_text(f.cycles, ns))});
}

void llc_edits(Edits& e, const Calibration& c, uint32_t line) {
  const CacheLevelInfo* l3 = sysfs_level(c, 3);
  const LevelFit& f = c.cache.llc;
  if (c.cache.llc_invisible && l3) {
    e.push_back({"cache", "llc_size", "0",
                 fmt::format("measured: sysfs lists a {} {}-way L3 (CPUs {}), but {}; 0 = level absent",
                             format_size(l3->size), l3->ways, l3->shared_cpus, c.cache.llc.note)});
    e.push_back({"cache", "llc_cycles", std::nullopt, "unused with llc_size = 0"});
    return;
  }
  if (l3 && f.found && f.reach && f.reach < l3->size / 2) {
    // Less of a shared LLC than listed (other tenants, a cache partition): the size the chase saw.
    CacheLevelInfo seen = *l3;
    seen.size = f.reach;
    geometry_edits(e, "llc", seen, line,
                   fmt::format("measured: the chase leaves this level for DRAM after {}, of the {} {}-way L3 "
                               "sysfs lists (CPUs {})",
                               format_size(f.reach), format_size(l3->size), l3->ways, l3->shared_cpus));
  } else if (l3) {
    geometry_edits(e, "llc", *l3, line);
  }
  latency_edit(e, c, "llc_cycles", f);
}

void cache_edits(Edits& e, const Calibration& c) {
  const CacheLevelInfo* l1 = sysfs_level(c, 1);
  const uint32_t line =
      l1 && l1->line ? l1->line : static_cast<uint32_t>(default_integer("cache.line_bytes"));
  if (l1 && l1->line) e.push_back({"cache", "line_bytes", std::to_string(line), "sysfs coherency_line_size"});
  if (l1) geometry_edits(e, "l1", *l1, line);
  latency_edit(e, c, "l1_cycles", c.cache.l1);
  if (const CacheLevelInfo* l2 = sysfs_level(c, 2)) geometry_edits(e, "l2", *l2, line);
  latency_edit(e, c, "l2_cycles", c.cache.l2);
  llc_edits(e, c, line);
  latency_edit(e, c, "dram_cycles", c.cache.dram);
}

void tlb_entries_edit(Edits& e, const std::string& key, const std::string& ways_key, const StepFit& s,
                      const std::string& what) {
  if (!s.found) {
    e.push_back({"tlb", key, std::nullopt, "kept: not measured (" + what + ")"});
    return;
  }
  const uint64_t ways = std::max<uint64_t>(1, default_integer("tlb." + ways_key));
  const uint64_t entries = std::max(ways, s.entries / ways * ways);
  std::string how = fmt::format(
      "measured: line-per-page chase, 4 KiB minus 2 MiB pages, steps from {:.1f} to {:.1f} cycles after {} "
      "pages ({} reach)",
      s.below, s.above, s.entries, format_size(s.entries * 4096));
  if (entries != s.entries) how += fmt::format("; whole sets of {} = {}", ways_key, ways);
  e.push_back({"tlb", key, std::to_string(entries), how});
}

void tlb_edits(Edits& e, const Calibration& c) {
  const TlbFit& t = c.tlb;
  const std::string why = t.note.empty() ? "no step found" : t.note;
  tlb_entries_edit(e, "l1_4k_entries", "l1_4k_ways", t.l1, why);
  if (t.l1.found)
    e.push_back(
        {"tlb", "l2_hit_cycles", cycles_int(t.l2_hit_cycles),
         fmt::format("measured: height of the first-level TLB step, {:.1f} cycles", t.l2_hit_cycles)});
  else
    e.push_back({"tlb", "l2_hit_cycles", std::nullopt, "kept: not measured (" + why + ")"});
  tlb_entries_edit(e, "l2_entries", "l2_ways", t.l2, why);
}

void kvm_edit(Edits& e, const Calibration& c, const std::string& section, const std::string& key, double ns,
              const std::string& row) {
  const KvmMeasurement* m = c.kvm.row(row);
  if (!c.kvm.use || !m || ns <= 0) {
    e.push_back({section, key, std::nullopt, "kept: " + c.kvm.reason});
    return;
  }
  e.push_back({section, key, cycles_int(ns * c.ghz()),
               fmt::format("measured: {} on /dev/kvm, {:.0f} ns; repetitions {:.0f}/{:.0f}/{:.0f} ns", row,
                           m->median_ns, m->min_ns, m->median_ns, m->max_ns)});
}

void kvm_edits(Edits& e, const Calibration& c) {
  const char* cpuid = "CPUID exit handled in the kernel";
  kvm_edit(e, c, "costs", "vm_exit_cycles", c.kvm.cpuid_exit_ns(), cpuid);
  kvm_edit(e, c, "costs", "hypercall_cycles", c.kvm.cpuid_exit_ns(), cpuid);
  kvm_edit(e, c, "io", "kick_exit_cycles", c.kvm.kernel_exit_ns(), "PIO exit to in-kernel ioeventfd");
  kvm_edit(e, c, "io", "user_exit_cycles", c.kvm.user_exit_ns(), "PIO exit to user space");
}

std::string clock_comment(const Calibration& c) {
  const ClockEstimate& k = c.clock_during.ghz > 0 ? c.clock_during : c.clock;
  std::string s = fmt::format("measured: {}; {:.3f}/{:.3f}/{:.3f} GHz (min/median/max)", k.method,
                              k.spread.min, k.spread.median, k.spread.max);
  s += fmt::format("; before the chases {:.3f} GHz", c.clock.ghz);
  if (c.clock_after.ghz > 0) s += fmt::format(", after {:.3f} GHz", c.clock_after.ghz);
  if (c.clock.cpuinfo_mhz > 0) s += fmt::format("; /proc/cpuinfo cpu MHz {:.0f}", c.clock.cpuinfo_mhz);
  return s;
}

std::string kvm_header(const Calibration& c) {
  const KvmCosts& k = c.kvm;
  if (!k.unavailable.empty()) return "#   /dev/kvm: not measured: " + k.reason + "\n";
  std::string s =
      fmt::format("#   /dev/kvm ({}, {} guest): ", k.module.empty() ? "module not known" : k.module,
                  k.report.mode == GuestMode::kLong64User ? "64-bit CPL3" : "real-mode");
  s += fmt::format("empty guest loop {:.0f} ns; PIO exit to the kernel {:.0f} ns, to user space {:.0f} ns",
                   k.report.loop_ns, k.kernel_exit_ns(), k.user_exit_ns());
  if (k.cpuid_exit_ns() > 0) s += fmt::format(", CPUID exit {:.0f} ns", k.cpuid_exit_ns());
  s += fmt::format("\n#     {}: {}\n", k.use ? "used" : "not used", k.reason);
  return s;
}

std::string tlb_header(const Calibration& c) {
  const TlbFit& t = c.tlb;
  std::string s;
  if (t.l2.found)
    s += fmt::format(
        "#   a TLB miss whose walk finds its entries in the caches: +{:.1f} cycles per load (beyond {} "
        "pages)\n",
        t.walk_cycles, t.l2.entries);
  if (t.max_pages)
    s += fmt::format("#   4 KiB against 2 MiB pages at {} (one line per page): +{:.1f} cycles per load\n",
                     format_size(t.max_pages * 4096), t.miss_cycles_at_max);
  if (!t.note.empty()) s += "#   TLB: " + t.note + "\n";
  return s;
}

}  // namespace

std::string calibrated_header(const Calibration& c) {
  std::string s = fmt::format(
      "# hvsim machine profile measured on this host by `hvsim calibrate` ({}, {:.0f} s).\n"
      "# host: {}; {}; caches listed in {}\n"
      "# Measured keys say \"measured:\" with the method and the spread (min/median/max over runs,\n"
      "# each run the median time per load of millions of dependent loads). Every other key keeps\n"
      "# the default profile's value and source (its notes follow below); \"kept:\" says why.\n"
      "# Seen but no key of the model:\n",
      c.date, c.seconds, c.cpu_model.empty() ? "CPU model not listed" : c.cpu_model, c.kernel,
      c.topology.data.empty() ? "no sysfs folder (sizes kept)" : c.topology.source);
  s += fmt::format("#   2 MiB pages: {}\n#   4 KiB pages: {}\n", c.lines.backing, c.pages_small.backing);
  s += tlb_header(c) + kvm_header(c);
  s += "#\n# The default profile's notes, for the keys kept:\n";
  return s;
}

uint64_t representable_cache_size(uint64_t size, uint32_t ways, uint32_t line) {
  if (ways == 0 || line == 0 || size < uint64_t{ways} * line) return 0;
  uint64_t sets = 1;
  while (sets * 2 * ways * line <= size) sets *= 2;
  return sets * ways * line;
}

std::vector<ProfileEdit> calibrated_edits(const Calibration& c) {
  Edits e;
  e.push_back({"profile", "name", quoted("calibrated"), "written by hvsim calibrate on " + c.date});
  e.push_back({"core", "frequency_ghz", fmt::format("{:.3f}", c.ghz()), clock_comment(c)});
  e.push_back({"cache", "", std::nullopt,
               "this host's data caches: sizes from sysfs, latencies measured (see each key)"});
  cache_edits(e, c);
  tlb_edits(e, c);
  kvm_edits(e, c);
  return e;
}

std::string calibrated_profile_text(const Calibration& c) {
  return rewrite_profile(kProfileDefault, calibrated_edits(c), calibrated_header(c));
}

}  // namespace hvsim
