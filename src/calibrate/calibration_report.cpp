#include "calibrate/calibration_report.h"

#include <fmt/format.h>

#include <cmath>

#include "common/units.h"

namespace hvsim {
namespace {

struct Row {
  std::string what, value, spread, how;
};

std::string ns_spread(const Spread& s) {
  return fmt::format("{:.2f}/{:.2f}/{:.2f} ns", s.min, s.median, s.max);
}

Row level_row(const Calibration& c, const std::string& what, const LevelFit& f) {
  if (!f.found) return {what, "-", "", f.note};
  return {what, fmt::format("{:.1f} cycles", f.cycles), ns_spread(c.lines.spread_between(f.from, f.to)),
          fmt::format("plateau {}..{}{}", format_size(f.from), format_size(f.to),
                      f.reach ? fmt::format(", DRAM after {}", format_size(f.reach)) : "")};
}

std::vector<Row> tlb_rows(const TlbFit& t) {
  std::vector<Row> rows;
  auto step = [](const StepFit& s) {
    auto tidy = [](double v) { return std::abs(v) < 0.05 ? 0.0 : v; };  // no "-0.0"
    return fmt::format("{:.1f} -> {:.1f} cycles after {} pages", tidy(s.below), tidy(s.above), s.entries);
  };
  if (t.l1.found) {
    rows.push_back({"first-level TLB, 4 KiB entries", std::to_string(t.l1.entries), "", step(t.l1)});
    rows.push_back(
        {"second-level TLB hit", fmt::format("+{:.1f} cycles", t.l2_hit_cycles), "", "step height"});
  }
  if (t.l2.found) {
    rows.push_back({"second-level TLB entries", std::to_string(t.l2.entries), "", step(t.l2)});
    rows.push_back({"TLB miss, walk from the caches", fmt::format("+{:.1f} cycles", t.walk_cycles), "",
                    "third plateau over the first"});
  }
  if (t.max_pages)
    rows.push_back({fmt::format("TLB miss at {}", format_size(t.max_pages * 4096)),
                    fmt::format("+{:.1f} cycles", t.miss_cycles_at_max), "", "4 KiB minus 2 MiB pages"});
  if (!t.note.empty()) rows.push_back({"TLB", "-", "", t.note});
  return rows;
}

std::vector<Row> kvm_rows(const KvmCosts& k) {
  std::vector<Row> rows;
  std::vector<const KvmMeasurement*> ms;
  for (const auto& m : k.report.rows) ms.push_back(&m);
  if (!k.cpuid.name.empty()) ms.push_back(&k.cpuid);
  for (const auto* m : ms)
    rows.push_back({m->name, fmt::format("{:.0f} ns", m->median_ns),
                    fmt::format("{:.0f}/{:.0f}/{:.0f} ns", m->min_ns, m->median_ns, m->max_ns),
                    fmt::format("{} requests", m->requests)});
  return rows;
}

std::string table(const std::vector<Row>& rows) {
  std::string s =
      fmt::format("{:<34} {:>16}  {:<28} {}\n", "measurement", "value", "spread (min/median/max)", "how");
  for (const auto& r : rows) s += fmt::format("{:<34} {:>16}  {:<28} {}\n", r.what, r.value, r.spread, r.how);
  return s;
}

}  // namespace

Row clock_row(const std::string& what, const ClockEstimate& k, const std::string& how) {
  return {what, fmt::format("{:.3f} GHz", k.ghz),
          fmt::format("{:.3f}/{:.3f}/{:.3f} GHz", k.spread.min, k.spread.median, k.spread.max), how};
}

std::string render_calibration(const Calibration& c) {
  std::vector<Row> rows;
  rows.push_back(clock_row("core clock before the chases", c.clock, c.clock.method));
  if (c.clock_during.ghz > 0)
    rows.push_back(
        clock_row("core clock during the chases", c.clock_during, "the profile's: " + c.clock_during.method));
  if (c.clock_after.ghz > 0)
    rows.push_back(clock_row("core clock after the chases", c.clock_after, "as before"));
  rows.push_back(level_row(c, "L1 load-to-use", c.cache.l1));
  rows.push_back(level_row(c, "L2 load-to-use", c.cache.l2));
  rows.push_back(level_row(c, "LLC load-to-use", c.cache.llc));
  rows.push_back(level_row(c, "DRAM load-to-use", c.cache.dram));
  for (auto& r : tlb_rows(c.tlb)) rows.push_back(std::move(r));
  for (auto& r : kvm_rows(c.kvm)) rows.push_back(std::move(r));
  std::string s = fmt::format("hvsim calibrate: {}; {}; {:.1f} s\n", c.cpu_model, c.kernel, c.seconds);
  s += fmt::format("2 MiB pages: {}\n4 KiB pages: {}\n", c.lines.backing, c.pages_small.backing);
  s += table(rows);
  s += fmt::format("kvm: exit costs {}: {}\n", c.kvm.use ? "used" : "not used (the default's kept)",
                   c.kvm.reason);
  for (const auto& n : c.kvm.report.notes) s += "note: " + n + "\n";
  return s;
}

std::string render_curves(const Calibration& c) {
  const double ghz = c.ghz();
  std::string s = fmt::format("\nevery-line chase, 2 MiB pages\n{:>12} {:>10} {:>10} {:>26} {:>5}\n",
                              "footprint", "cycles", "ns", "ns min/median/max", "runs");
  for (const auto& p : c.lines.points)
    s += fmt::format("{:>12} {:>10.1f} {:>10.2f} {:>26} {:>5}\n", format_size(p.footprint), p.ns.median * ghz,
                     p.ns.median, ns_spread(p.ns), p.ns.runs);
  s += fmt::format("\nline-per-page chase\n{:>12} {:>8} {:>12} {:>12} {:>12}\n", "footprint", "pages",
                   "4 KiB cyc", "2 MiB cyc", "difference");
  for (size_t i = 0; i < std::min(c.pages_small.points.size(), c.pages_huge.points.size()); ++i) {
    const auto &a = c.pages_small.points[i], &b = c.pages_huge.points[i];
    s += fmt::format("{:>12} {:>8} {:>12.1f} {:>12.1f} {:>12.1f}\n", format_size(a.footprint), a.elements,
                     a.ns.median * ghz, b.ns.median * ghz, (a.ns.median - b.ns.median) * ghz);
  }
  return s;
}

}  // namespace hvsim
