#include "report/writers.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/event.h"
#include "common/units.h"
#include "report/scheme_metrics.h"

namespace hvsim {
namespace {

// The paging and host sections belong to layers above report: read them by key.
std::string key_text(const Profile& p, const char* key) { return value_text(p.value(key)); }

std::vector<SchemeMetrics> metrics_of(const RunReport& run) {
  std::vector<std::pair<std::string, const SchemeStats*>> v;
  for (auto& s : run.schemes) v.emplace_back(s.name, &s.stats);
  return compute_metrics(v);
}

std::string si(double v) {
  if (v >= 1e12) return fmt::format("{:.2f}T", v / 1e12);
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string opt_pct(const std::optional<double>& v) { return v ? fmt::format("{:+.1f}%", 100 * *v) : "-"; }
std::string opt_x(const std::optional<double>& v) { return v ? fmt::format("{:.2f}x", *v) : "-"; }

}  // namespace

std::string render_table(const RunReport& run, const Profile& profile) {
  struct Col {
    const char* head;
    bool left;
  };
  const std::vector<Col> cols = {{"scheme", true},        {"accesses", false},  {"L1 MPKI", false},
                                 {"L2 MPKI", false},      {"walks", false},     {"refs/walk", false},
                                 {"walk cyc/acc", false}, {"VM exits", false},  {"hv cycles", false},
                                 {"xlat ovh", false},     {"vs native", false}, {"vs nested", false}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : metrics_of(run)) {
    const SchemeStats& s = *m.stats;
    rows.push_back({m.scheme, si(s.accesses), fmt::format("{:.2f}", m.l1_mpki),
                    fmt::format("{:.2f}", m.l2_mpki), si(s.walks), fmt::format("{:.2f}", m.refs_per_walk),
                    fmt::format("{:.2f}", m.walk_cycles_per_access), si(s.vm_exits), si(s.hypervisor_cycles),
                    fmt::format("{:.1f}%", 100 * m.translation_overhead), opt_pct(m.overhead_vs_native),
                    opt_x(m.speedup_vs_nested)});
  }
  std::vector<size_t> width(cols.size());
  for (size_t c = 0; c < cols.size(); ++c) {
    width[c] = std::string(cols[c].head).size();
    for (auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  std::string out = fmt::format("workload: {}\n", run.description);
  out += fmt::format(
      "profile: {} ({}), {} guest + {} host levels, {} events measured{} in {:.2f} s{}\n", profile.name,
      profile.origin, key_text(profile, "paging.guest_levels"), key_text(profile, "paging.host_levels"),
      si(run.events), run.warmup_events ? fmt::format(" after {} warm-up", si(run.warmup_events)) : "",
      run.seconds,
      run.verified ? fmt::format(", verified: all schemes agree on {} accesses", si(run.verified_accesses))
                   : "");
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (c) l += "  ";
      l += cols[c].left ? fmt::format("{:<{}}", cells[c], width[c])
                        : fmt::format("{:>{}}", cells[c], width[c]);
    }
    return l + "\n";
  };
  std::vector<std::string> head;
  for (auto& c : cols) head.push_back(c.head);
  out += line(head);
  for (auto& r : rows) out += line(r);
  return out + render_event_table(run, profile);
}

std::string render_event_table(const RunReport& run, const Profile& profile) {
  // Columns: every event kind some scheme saw, in slot order.
  std::vector<size_t> slots;
  for (size_t slot = 0; slot < kEventSlots; ++slot) {
    if (slot == static_cast<size_t>(EventKind::kMmap) && run.schemes.size() &&
        run.schemes[0].stats.events[slot].count <= 1)
      continue;  // the generators' single set-up mmap says nothing
    for (auto& sc : run.schemes)
      if (sc.stats.events[slot].count) {
        slots.push_back(slot);
        break;
      }
  }
  if (slots.empty()) return "";
  std::vector<std::string> head = {"per-op cycles (us)"};
  for (size_t slot : slots) {
    uint64_t count = 0;
    for (auto& sc : run.schemes) count = std::max(count, sc.stats.events[slot].count);
    head.push_back(fmt::format("{} x{}", event_slot_name(slot), si(static_cast<double>(count))));
  }
  std::vector<std::vector<std::string>> rows;
  for (auto& sc : run.schemes) {
    std::vector<std::string> r = {sc.name};
    for (size_t slot : slots) {
      const EventCost& c = sc.stats.events[slot];
      double per = c.count ? static_cast<double>(c.cycles) / c.count : 0;
      r.push_back(c.count ? fmt::format("{} ({:.2f})", si(per), profile.cycles_to_us(per)) : "-");
    }
    rows.push_back(std::move(r));
  }
  std::vector<size_t> width(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    width[c] = head[c].size();
    for (auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t c = 0; c < cells.size(); ++c)
      l += (c ? "  " : "") +
           (c ? fmt::format("{:>{}}", cells[c], width[c]) : fmt::format("{:<{}}", cells[c], width[c]));
    return l + "\n";
  };
  std::string out = line(head);
  for (auto& r : rows) out += line(r);
  return out;
}

namespace {

nlohmann::json scheme_json(const SchemeMetrics& m, const Profile& profile) {
  const SchemeStats& s = *m.stats;
  nlohmann::json j;
  j["scheme"] = m.scheme;
  j["accesses"] = s.accesses;
  j["walks"] = s.walks;
  j["walk_mem_refs"] = s.walk_mem_refs;
  j["walk_cycles"] = s.walk_cycles;
  j["faulting_walks"] = s.faulting_walks;
  j["faulting_walk_refs"] = s.faulting_walk_refs;
  j["tlb_l1_misses"] = s.tlb_l1_misses;
  j["tlb_l2_misses"] = s.tlb_l2_misses;
  j["tlb_l1_mpki"] = m.l1_mpki;
  j["tlb_l2_mpki"] = m.l2_mpki;
  j["refs_per_walk"] = m.refs_per_walk;
  j["walk_cycles_per_access"] = m.walk_cycles_per_access;
  j["guest_faults"] = s.guest_faults;
  j["vm_exits"] = s.vm_exits;
  nlohmann::json reasons = nlohmann::json::object();
  for (size_t r = 0; r < s.exits_by_reason.size(); ++r)
    if (s.exits_by_reason[r])
      reasons[std::string(exit_reason_name(static_cast<ExitReason>(r)))] = s.exits_by_reason[r];
  j["vm_exits_by_reason"] = reasons;
  j["hypercalls"] = s.hypercalls;
  j["hypervisor_cycles"] = s.hypervisor_cycles;
  j["guest_cycles"] = s.guest_cycles;
  j["tlb_hit_cycles"] = s.tlb_hit_cycles;
  j["data_cycles"] = s.data_cycles;
  j["base_cycles"] = s.base_cycles;
  j["total_cycles"] = s.total_cycles();
  j["total_us"] = profile.cycles_to_us(static_cast<double>(s.total_cycles()));
  j["translation_overhead"] = m.translation_overhead;
  j["overhead_vs_native"] =
      m.overhead_vs_native ? nlohmann::json(*m.overhead_vs_native) : nlohmann::json(nullptr);
  j["speedup_vs_nested"] =
      m.speedup_vs_nested ? nlohmann::json(*m.speedup_vs_nested) : nlohmann::json(nullptr);
  j["pt_alloc_cycles"] = s.pt_alloc_cycles;
  j["iotlb_flushes"] = s.iotlb_flushes;
  nlohmann::json events = nlohmann::json::object();
  for (size_t slot = 0; slot < s.events.size(); ++slot) {
    const EventCost& c = s.events[slot];
    if (!c.count) continue;
    double per_op = static_cast<double>(c.cycles) / c.count;
    events[std::string(event_slot_name(slot))] = {{"count", c.count},
                                                  {"cycles", c.cycles},
                                                  {"cycles_per_op", per_op},
                                                  {"us_per_op", profile.cycles_to_us(per_op)}};
  }
  j["events"] = events;
  j["details"] = s.details;
  return j;
}

nlohmann::json workload_json(const RunReport& run) {
  return {{"name", run.workload},
          {"description", run.description},
          {"footprint_bytes", run.footprint},
          {"seed", run.seed},
          {"events", run.events},
          {"warmup_events", run.warmup_events},
          {"accesses", run.accesses},
          {"verified", run.verified},
          {"verified_accesses", run.verified_accesses},
          {"guest_table_pages", run.guest_table_pages},
          {"host_table_pages", run.host_table_pages},
          {"seconds", run.seconds}};
}

}  // namespace

std::string render_json(const std::vector<RunReport>& runs, const Profile& profile) {
  nlohmann::json j;
  j["hvsim_version"] = HVSIM_VERSION;
  j["profile"] = {{"name", profile.name},
                  {"origin", profile.origin},
                  {"frequency_ghz", profile.section<CoreConfig>().frequency_ghz},
                  {"guest_levels", std::get<uint64_t>(profile.value("paging.guest_levels"))},
                  {"host_levels", std::get<uint64_t>(profile.value("paging.host_levels"))},
                  {"host_page_size", key_text(profile, "host.page_size")}};
  nlohmann::json workloads = nlohmann::json::array(), results = nlohmann::json::array();
  for (const auto& run : runs) {
    workloads.push_back(workload_json(run));
    for (const auto& m : metrics_of(run)) {
      auto r = scheme_json(m, profile);
      r["workload"] = run.workload;
      results.push_back(std::move(r));
    }
  }
  if (runs.size() == 1) j["workload"] = workloads[0];
  j["workloads"] = workloads;
  j["results"] = results;
  return j.dump(2) + "\n";
}

namespace {
// RFC 4180: quote a field that holds a comma, quote or line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

std::string render_csv(const std::vector<RunReport>& runs, const Profile&) {
  std::string out =
      "workload,scheme,accesses,walks,walk_mem_refs,walk_cycles,tlb_l1_misses,tlb_l2_misses,vm_exits,"
      "hypercalls,"
      "hypervisor_cycles,guest_cycles,total_cycles,translation_overhead,overhead_vs_native,speedup_vs_"
      "nested\n";
  auto opt = [](const std::optional<double>& v) { return v ? fmt::format("{:.6f}", *v) : std::string(); };
  for (const auto& run : runs) {
    for (const auto& m : metrics_of(run)) {
      const SchemeStats& s = *m.stats;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{:.6f},{},{}\n", csv_field(run.workload),
                         m.scheme, s.accesses, s.walks, s.walk_mem_refs, s.walk_cycles, s.tlb_l1_misses,
                         s.tlb_l2_misses, s.vm_exits, s.hypercalls, s.hypervisor_cycles, s.guest_cycles,
                         s.total_cycles(), m.translation_overhead, opt(m.overhead_vs_native),
                         opt(m.speedup_vs_nested));
    }
  }
  return out;
}

}  // namespace hvsim
