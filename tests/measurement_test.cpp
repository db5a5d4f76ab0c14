// Warm-up and epochs are snapshot-and-subtract: what a scheme measured after a warm-up is what
// the whole run counted less what the warm-up alone counted, and epochs add up to the run.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "report/metric_list.h"
#include "schemes/scheme_details.h"
#include "test_support.h"

namespace hvsim {
namespace {

std::vector<Event> stream(const std::string& workload, uint64_t accesses) {
  WorkloadParams params;
  params.footprint = 32ull << 20;
  params.accesses = accesses;
  params.seed = 7;
  auto source = WorkloadRegistry::instance().find(workload)->factory(params);
  std::vector<Event> out, batch(4096);
  while (size_t n = source->next_batch(batch)) out.insert(out.end(), batch.begin(), batch.begin() + n);
  return out;
}

// The events up to and including the `accesses`-th access: where a warm-up of that many ends.
std::vector<Event> prefix(const std::vector<Event>& events, uint64_t accesses) {
  size_t end = 0;
  for (uint64_t acc = 0; end < events.size() && acc < accesses;) acc += is_access(events[end++].kind);
  return {events.begin(), events.begin() + static_cast<long>(end)};
}

RunReport run(const std::vector<Event>& events, const Profile& p, uint64_t warmup = 0, uint64_t epoch = 0) {
  test::VectorSource src(events);
  ExperimentOptions opt;
  opt.schemes = resolve_schemes("all");
  opt.footprint_hint = 32ull << 20;
  opt.threads = 2;
  opt.warmup_accesses = warmup;
  opt.epoch_accesses = epoch;
  return run_experiment(src, p, opt);
}

Profile lazy_pages() {
  Profile p = load_profile("default");
  apply_setting(p, "host.backing=pages");
  apply_setting(p, "host.populate=lazy");
  return p;
}

TEST(Measurement, WarmupIsTheWholeRunLessTheWarmupAlone) {
  const Profile p = lazy_pages();
  for (const char* workload : {"os-random", "fork-exit"}) {
    const auto events = stream(workload, 30'000);
    const RunReport whole = run(events, p), head = run(prefix(events, 10'000), p),
                    tail = run(events, p, 10'000);
    ASSERT_EQ(tail.schemes.size(), whole.schemes.size());
    EXPECT_EQ(tail.warmup_events + tail.events, whole.events) << workload;
    for (size_t s = 0; s < whole.schemes.size(); ++s) {
      const SchemeStats &w = whole.schemes[s].stats, &h = head.schemes[s].stats, &t = tail.schemes[s].stats;
      const std::string what = std::string(workload) + "/" + whole.schemes[s].name;
      for (const SchemeMetricDef& d : scheme_metric_defs())
        if (d.counter) {
          EXPECT_EQ(t.*d.counter, w.*d.counter - h.*d.counter) << what << " " << d.name;
        }
      EXPECT_EQ(t.total_cycles(), w.total_cycles() - h.total_cycles()) << what;
      EXPECT_EQ(t.hypervisor_cycles, w.hypervisor_cycles - h.hypervisor_cycles) << what;
      for (size_t r = 0; r < kExitReasons; ++r)
        EXPECT_EQ(t.exit_cycles_by_reason[r], w.exit_cycles_by_reason[r] - h.exit_cycles_by_reason[r])
            << what;
      for (size_t k = 0; k < kEventSlots; ++k)
        EXPECT_EQ(t.events[k].cycles, w.events[k].cycles - h.events[k].cycles)
            << what << " " << event_slot_name(k);
      for (const auto& [name, value] : w.details) {
        const DetailDef* d = DetailRegistry::instance().find(name);
        ASSERT_NE(d, nullptr) << name;
        auto before = h.details.count(name) ? h.details.at(name) : 0.0;
        if (d->kind == DetailKind::kCount) {
          EXPECT_EQ(t.details.at(name), value - before) << what << " " << name;
        } else if (d->kind == DetailKind::kLevel) {
          EXPECT_EQ(t.details.at(name), value) << what << " " << name;
        }
      }
    }
  }
}

TEST(Measurement, EpochsAddUpToTheRun) {
  const Profile p = lazy_pages();
  const auto events = stream("os-random", 20'000);
  for (uint64_t epoch : {uint64_t{3000}, uint64_t{7}}) {  // 7: over 1024 epochs, merged pairwise
    const RunReport whole = run(events, p), cut = run(events, p, 0, epoch);
    ASSERT_FALSE(cut.epochs.empty());
    EXPECT_LE(cut.epochs.size(), 1024u);
    uint64_t next = 0;
    for (const EpochReport& e : cut.epochs) {
      EXPECT_EQ(e.first_access, next);
      next += e.accesses;
    }
    EXPECT_EQ(next, whole.accesses);
    if (epoch == 3000) {
      EXPECT_EQ(cut.epochs.size(), 7u);  // six of 3000 and the last 2000
    } else {
      EXPECT_EQ(cut.epochs[0].accesses % 7, 0u);
    }
    for (size_t s = 0; s < whole.schemes.size(); ++s) {
      const SchemeStats& w = whole.schemes[s].stats;
      EXPECT_EQ(cut.schemes[s].stats.total_cycles(), w.total_cycles())
          << whole.schemes[s].name << " epoch " << epoch;  // epochs change nothing else
      uint64_t total = 0, exits = 0, walks = 0;
      for (const EpochReport& e : cut.epochs) {
        total += e.schemes[s].stats.total_cycles();
        exits += e.schemes[s].stats.vm_exits;
        walks += e.schemes[s].stats.walks;
      }
      EXPECT_EQ(total, w.total_cycles()) << whole.schemes[s].name << " epoch " << epoch;
      EXPECT_EQ(exits, w.vm_exits) << whole.schemes[s].name;
      EXPECT_EQ(walks, w.walks) << whole.schemes[s].name;
    }
  }
}

TEST(Measurement, EpochsReachTheJson) {
  namespace fs = std::filesystem;
  const std::string path = fs::temp_directory_path() / "hvsim-epochs.json";
  auto r = test::run_hvsim(
      "compare --workload gups --footprint 16MiB --accesses 10000 --schemes native,switching "
      "--epoch 2500 --json " +
      path);
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(path);
  auto j = nlohmann::json::parse(in);
  fs::remove(path);
  const auto& epochs = j["workload"]["epochs"];
  ASSERT_EQ(epochs.size(), 4u);
  EXPECT_EQ(epochs[3]["first_access"], 7500);
  EXPECT_EQ(epochs[3]["accesses"], 2500);
  EXPECT_EQ(epochs[0]["results"][0]["scheme"], "native");
  EXPECT_EQ(epochs[0]["results"][0]["accesses"], 2500);
  EXPECT_TRUE(epochs[0]["results"][1]["details"].contains("mode_is_nested"));
  EXPECT_TRUE(epochs[0]["results"][1].contains("tlb_l2_mpki"));
}

// docs/schemes.md lists every scheme figure as declared: one row per name.
std::string expected_details_table() {
  std::string t = "| figure | unit | kind | meaning |\n|---|---|---|---|\n";
  const auto& all = DetailRegistry::instance().all();
  for (auto it = all.begin(); it != all.end(); it = all.upper_bound(it->first)) {
    const DetailDef& d = it->second;
    const char* kind = d.kind == DetailKind::kCount   ? "count"
                       : d.kind == DetailKind::kLevel ? "at the end"
                                                      : "per walk";
    t += fmt::format("| `{}` | {} | {} | {} |\n", d.name, d.unit, kind, d.doc);
  }
  return t;
}

TEST(SchemeDetails, EveryFigureIsDeclaredOnceInMeaningAndDocumented) {
  std::ifstream in(std::filesystem::path(HVSIM_SOURCE_DIR) / "docs/schemes.md");
  std::stringstream doc;
  doc << in.rdbuf();
  const auto& all = DetailRegistry::instance().all();
  for (auto it = all.begin(); it != all.end(); ++it) {
    auto [first, last] = all.equal_range(it->first);
    for (auto other = first; other != last; ++other) {
      EXPECT_EQ(other->second.unit, it->second.unit) << it->first;
      EXPECT_EQ(other->second.doc, it->second.doc) << it->first;
      EXPECT_EQ(other->second.kind, it->second.kind) << it->first;
    }
  }
  EXPECT_NE(doc.str().find(expected_details_table()), std::string::npos)
      << "docs/schemes.md must contain this table verbatim:\n"
      << expected_details_table();
}

}  // namespace
}  // namespace hvsim
