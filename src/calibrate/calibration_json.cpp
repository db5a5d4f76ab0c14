#include <nlohmann/json.hpp>

#include "calibrate/calibration_report.h"

namespace hvsim {
namespace {

using nlohmann::json;

json spread_json(const Spread& s) {
  return {{"min", s.min}, {"median", s.median}, {"max", s.max}, {"runs", s.runs}, {"stable", s.stable}};
}

json curve_json(const ChaseCurve& c, double ghz) {
  json points = json::array();
  for (const auto& p : c.points)
    points.push_back({{"footprint_bytes", p.footprint},
                      {"elements", p.elements},
                      {"loads_per_run", p.loads},
                      {"ns_per_load", spread_json(p.ns)},
                      {"clock_ghz", spread_json(p.ghz)},
                      {"cycles_per_load", p.ns.median * ghz}});
  return {{"chase", c.kind == ChaseKind::kEveryLine ? "every line" : "one line per 4 KiB page"},
          {"pages", c.pages == PageKind::kHuge ? "2MiB" : "4KiB"},
          {"backing", c.backing},
          {"points", points}};
}

json level_json(const LevelFit& f) {
  if (!f.found) return {{"found", false}, {"note", f.note}};
  return {{"found", true},
          {"cycles", f.cycles},
          {"from_bytes", f.from},
          {"to_bytes", f.to},
          {"reach_bytes", f.reach}};
}

json step_json(const StepFit& s) {
  if (!s.found) return {{"found", false}};
  return {{"found", true}, {"entries", s.entries}, {"below_cycles", s.below}, {"above_cycles", s.above}};
}

json kvm_json(const KvmCosts& k) {
  json rows = json::array();
  auto add = [&](const KvmMeasurement& m) {
    rows.push_back({{"name", m.name},
                    {"requests", m.requests},
                    {"ns", {{"min", m.min_ns}, {"median", m.median_ns}, {"max", m.max_ns}}},
                    {"user_exits_per_request", m.user_exits_per_request},
                    {"kvm_exits_per_request", m.kvm_exits_per_request}});
  };
  for (const auto& m : k.report.rows) add(m);
  if (!k.cpuid.name.empty()) add(k.cpuid);
  return {{"module", k.module},
          {"unavailable", k.unavailable},
          {"emulated", k.report.emulated},
          {"loop_ns", k.report.loop_ns},
          {"used", k.use},
          {"reason", k.reason},
          {"rows", rows},
          {"notes", k.report.notes}};
}

json clock_json(const ClockEstimate& c) {
  return {{"ghz", c.ghz},
          {"spread", spread_json(c.spread)},
          {"cpuinfo_mhz", c.cpuinfo_mhz},
          {"method", c.method}};
}

}  // namespace

json calibration_json(const Calibration& c) {
  json caches = json::array();
  for (const auto& l : c.topology.data)
    caches.push_back({{"level", l.level},
                      {"size_bytes", l.size},
                      {"ways", l.ways},
                      {"line_bytes", l.line},
                      {"sets", l.sets},
                      {"shared_cpus", l.shared_cpus}});
  const TlbFit& t = c.tlb;
  json j = {
      {"host", {{"cpu", c.cpu_model}, {"kernel", c.kernel}, {"date", c.date}, {"seconds", c.seconds}}},
      {"clock", clock_json(c.clock)},
      {"clock_during", clock_json(c.clock_during)},
      {"clock_after", clock_json(c.clock_after)},
      {"profile_ghz", c.ghz()},
      {"caches", {{"source", c.topology.source}, {"levels", caches}}},
      {"curves",
       {curve_json(c.lines, c.ghz()), curve_json(c.pages_huge, c.ghz()), curve_json(c.pages_small, c.ghz())}},
      {"fit",
       {{"l1", level_json(c.cache.l1)},
        {"l2", level_json(c.cache.l2)},
        {"llc", level_json(c.cache.llc)},
        {"llc_invisible", c.cache.llc_invisible},
        {"dram", level_json(c.cache.dram)},
        {"tlb_l1", step_json(t.l1)},
        {"tlb_l2", step_json(t.l2)},
        {"tlb_l2_hit_cycles", t.l2_hit_cycles},
        {"tlb_walk_cycles", t.walk_cycles},
        {"tlb_miss_cycles_at_max", t.miss_cycles_at_max},
        {"tlb_note", t.note}}},
      {"kvm", kvm_json(c.kvm)}};
  if (c.check)
    j["check"] = {{"footprint_bytes", c.check->footprint},
                  {"ns_4k", spread_json(c.check->small.ns)},
                  {"ns_2m", spread_json(c.check->huge.ns)},
                  {"ratio", c.check->ratio()}};
  return j;
}

}  // namespace hvsim
