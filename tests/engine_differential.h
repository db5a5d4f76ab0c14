// The differential engine check shared by the seeded ctest and the libFuzzer target: a plausible
// random stream runs through every scheme with --verify (each access's host-physical address
// against the reference translation), on one of several machine layouts, with varying batch
// sizes, threads and warm-up; and, independently of the simulator's own reference, a model of
// what the guest has mapped is checked against the guest's real page tables.
#pragma once
#include <fmt/format.h>

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/profile.h"
#include "machine/machine.h"
#include "os/canonical.h"
#include "sim/experiment.h"
#include "sim/simulation.h"
#include "vector_source.h"
#include "workload/generators/plausible_stream.h"

namespace hvsim::differential {

// Machine layouts the stream is checked on: profile and settings. `four_k` layouts map every
// guest page as 4 KiB, so the mapped-page model below applies exactly.
struct Layout {
  const char* profile;
  std::vector<const char*> settings;
  bool four_k;
  uint64_t footprint = 32 * kGiB;  // sizes guest memory (1 GiB pages need room for every GiB touched)
};

inline const std::vector<Layout>& layouts() {
  static const std::vector<Layout> all = {
      {"default", {}, false},
      {"bare", {}, true},
      {"default", {"guest.page_size=4K", "host.backing=pages", "guest.direct_segment=false"}, true},
      {"bare", {"guest.page_size=thp", "host.page_size=2M"}, false},
      {"default", {"paging.guest_levels=5", "paging.host_levels=5", "guest.page_size=4K"}, true},
      {"bare", {"guest.page_size=2M", "host.backing=segments", "guest.direct_segment=true"}, false},
      {"default", {"guest.page_size=1G", "host.page_size=1G"}, false, 256 * kGiB},
      {"bare", {"guest.direct_segment=true", "host.backing=segments", "host.segments=2"}, true},
  };
  return all;
}

inline Profile layout_profile(const Layout& l) {
  Profile p = load_profile(l.profile);
  for (const char* s : l.settings) apply_setting(p, s);
  return p;
}

struct Case {
  size_t layout = 0;
  size_t batch_events = 4096;
  unsigned threads = 1;
  uint64_t warmup = 0;
  std::string schemes = "all";
};

// What the guest must have mapped after `events`, with 4 KiB pages: every page touched since
// the last unmap, madvise, exec or exit covering it; a child starts with its parent's pages.
inline std::map<uint32_t, std::set<uint64_t>> expected_pages(const std::vector<Event>& events) {
  std::map<uint32_t, std::set<uint64_t>> pages;
  std::map<uint32_t, uint64_t> brk;  // the break after the first brk event of a process
  auto drop = [&](uint32_t pid, uint64_t start, uint64_t end) {
    auto& s = pages[pid];
    s.erase(s.lower_bound(start >> 12), s.lower_bound((end + 4095) >> 12));
  };
  for (const Event& e : events) {
    switch (e.kind) {
      case EventKind::kLoad:
      case EventKind::kStore:
      case EventKind::kIFetch:
        pages[e.pid].insert(e.addr >> 12);
        break;
      case EventKind::kMmap:  // a new mapping replaces what was there (MAP_FIXED)
      case EventKind::kMunmap:
      case EventKind::kMadviseDontneed:
        drop(e.pid, e.addr, e.addr + e.arg);
        break;
      case EventKind::kBrk: {
        auto it = brk.find(e.pid);
        if (it != brk.end() && e.addr < it->second) drop(e.pid, (e.addr + 4095) & ~4095ull, it->second);
        brk[e.pid] = e.addr;
        break;
      }
      case EventKind::kProcessCreate:
        pages[static_cast<uint32_t>(e.arg)] = pages[e.pid];
        if (auto it = brk.find(e.pid); it != brk.end()) brk[static_cast<uint32_t>(e.arg)] = it->second;
        break;
      case EventKind::kExec:
      case EventKind::kProcessExit:
        pages.erase(e.pid);
        brk.erase(e.pid);
        if (e.kind == EventKind::kExec) pages[e.pid];
        break;
      default:
        break;
    }
  }
  return pages;
}

// Prepares `events` on a machine of its own (no scheme) and compares the guest's page tables
// with expected_pages(). Returns a description of the first difference, or "".
inline std::string check_guest_pages(const std::vector<Event>& events, const Profile& profile,
                                     uint64_t footprint) {
  Simulation sim(profile, MachineSizing::for_footprint(profile, footprint), {}, SimulationOptions{});
  sim.run(events);
  const Machine& machine = sim.machine();
  for (auto& [pid, want] : expected_pages(events)) {
    const AddressSpace* as = machine.guest().find_space(pid);
    std::set<uint64_t> got;
    if (as)
      const_cast<GuestPageTable&>(*as->table)
          .for_each_leaf(0, as->table->address_space_end(),
                         [&](uint64_t va, uint64_t&, int, GuestPhysAddr) { got.insert(va >> 12); });
    if (got == want) continue;
    for (uint64_t p : want)
      if (!got.count(p)) return fmt::format("pid {}: page {:#x} was touched but is not mapped", pid, p << 12);
    for (uint64_t p : got)
      if (!want.count(p)) return fmt::format("pid {}: page {:#x} is mapped but should not be", pid, p << 12);
  }
  return "";
}

// Generates a stream from `choices` (at most `max_events` events).
inline std::vector<Event> generate(ChoiceSource& choices, size_t max_events,
                                   PlausibleStream::Options o = PlausibleStream::Options{}) {
  PlausibleStream stream(choices, o);
  std::vector<Event> events;
  while (events.size() < max_events && !choices.exhausted()) stream.step(events);
  if (events.size() > max_events) events.resize(max_events);
  return events;
}

// Runs the whole check; throws std::runtime_error describing the first failure.
inline RunReport check(const std::vector<Event>& events, const Case& c) {
  const Layout& layout = layouts()[c.layout % layouts().size()];
  Profile profile = layout_profile(layout);
  test::VectorSource source(events, "differential stream");
  ExperimentOptions opt;
  opt.schemes = resolve_schemes(c.schemes);
  opt.verify = true;
  opt.threads = c.threads;
  opt.batch_events = std::max<size_t>(2, c.batch_events);
  opt.warmup_accesses = c.warmup;
  opt.footprint_hint = layout.footprint;
  RunReport r;
  try {
    r = run_experiment(source, profile, opt);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("layout {} ({}): {}", c.layout % layouts().size(), layout.profile, e.what()));
  }
  // Schemes whose guests are laid out alike see the same guest: its own faults are the same for
  // all of them (a guest with direct segments maps other pages, of other sizes).
  const auto guest_part = [](const std::string& layout) { return layout.substr(layout.find(", guest")); };
  for (const auto& s : r.schemes)
    for (const auto& first : r.schemes)
      if (guest_part(first.layout) == guest_part(s.layout)) {
        if (s.stats.guest_faults != first.stats.guest_faults)
          throw std::runtime_error(fmt::format("layout {}: scheme '{}' counts {} guest faults, '{}' {}",
                                               c.layout, s.name, s.stats.guest_faults, first.name,
                                               first.stats.guest_faults));
        break;
      }
  if (layout.four_k) {
    std::vector<Event> folded = events;  // as run_experiment hands them to the machine
    for (Event& e : folded) canonicalize(e, profile.section<PagingConfig>().guest_levels);
    std::string diff = check_guest_pages(folded, profile, layout.footprint);
    if (!diff.empty()) throw std::runtime_error(fmt::format("layout {}: guest tables: {}", c.layout, diff));
  }
  return r;
}

}  // namespace hvsim::differential
