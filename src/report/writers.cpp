#include "report/writers.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/event.h"
#include "common/units.h"
#include "report/metric_list.h"

namespace hvsim {

std::vector<SchemeMetrics> metrics_of(const RunReport& run, const Profile& profile) {
  std::vector<std::pair<std::string, const SchemeStats*>> v;
  for (auto& s : run.schemes) v.emplace_back(s.name, &s.stats);
  return compute_metrics(v, profile.section<CoreConfig>().frequency_ghz);
}

namespace {

std::string si(double v) {
  if (v >= 1e12) return fmt::format("{:.2f}T", v / 1e12);
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string table_cell(const MetricValue& v, TableFormat f) {
  if (v.kind == MetricValue::Kind::kNone) return "-";
  const double x = v.kind == MetricValue::Kind::kCount ? static_cast<double>(v.count) : v.real;
  switch (f) {
    case TableFormat::kSi:
      return si(x);
    case TableFormat::kFixed2:
      return fmt::format("{:.2f}", x);
    case TableFormat::kPercent:
      return fmt::format("{:.1f}%", 100 * x);
    case TableFormat::kSignedPercent:
      return fmt::format("{:+.1f}%", 100 * x);
    case TableFormat::kTimes:
      return fmt::format("{:.2f}x", x);
  }
  return "?";
}

}  // namespace

std::string format_metric(const MetricValue& v, TableFormat f) { return table_cell(v, f); }

namespace {

// Rows of cells under `head`, the first column left-aligned, the others right-aligned.
std::string aligned(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows) {
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

}  // namespace

namespace {
// The machine layouts the rows ran on, in order of first appearance.
std::vector<std::string> layouts_of(const RunReport& run) {
  std::vector<std::string> out;
  for (const auto& s : run.schemes)
    if (!s.layout.empty() && std::find(out.begin(), out.end(), s.layout) == out.end())
      out.push_back(s.layout);
  return out;
}
std::string layout_label(const std::vector<std::string>& layouts, const std::string& layout) {
  const auto it = std::find(layouts.begin(), layouts.end(), layout);
  return it == layouts.end() ? "-" : std::string(1, static_cast<char>('A' + (it - layouts.begin()) % 26));
}
std::string warmup_line(const RunReport& run) {
  if (run.warmup_mode == "auto")
    return fmt::format("warm-up: auto, {} accesses ({}; --warmup 0 for the cold start)\n",
                       si(run.warmup_accesses), run.warmup_reason);
  if (run.warmup_mode == "none") return "warm-up: none (a cold start: first touches of pages are measured)\n";
  return "";
}
}  // namespace

std::string render_table(const RunReport& run, const Profile& profile) {
  std::vector<const SchemeMetricDef*> cols;
  for (const SchemeMetricDef& d : scheme_metric_defs())
    if (d.table_column) cols.push_back(&d);
  std::sort(cols.begin(), cols.end(), [](auto* a, auto* b) { return a->table_column < b->table_column; });
  std::vector<std::string> head = {"scheme"};
  for (auto* d : cols) head.emplace_back(d->table_head);
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : metrics_of(run, profile)) {
    std::vector<std::string> r = {m.scheme};
    for (auto* d : cols) r.push_back(table_cell(d->value(m), d->table_format));
    rows.push_back(std::move(r));
  }
  std::string out = fmt::format("workload: {}\n", run.description);
  out += fmt::format(
      "profile: {} ({}), {} guest + {} host levels, {} events measured{} in {:.2f} s{}\n", profile.name,
      profile.origin, value_text(profile.value("paging.guest_levels")),
      value_text(profile.value("paging.host_levels")), si(run.events),
      run.warmup_events ? fmt::format(" after {} warm-up", si(run.warmup_events)) : "", run.seconds,
      run.verified ? fmt::format(", verified: all schemes agree on {} accesses", si(run.verified_accesses))
                   : "");
  out += warmup_line(run);
  const std::vector<std::string> layouts = layouts_of(run);
  if (layouts.size() > 1) {
    head.emplace_back("layout");
    for (size_t i = 0; i < rows.size(); ++i) rows[i].push_back(layout_label(layouts, run.schemes[i].layout));
    for (size_t l = 0; l < layouts.size(); ++l)
      out += fmt::format("layout {}: {}\n", layout_label(layouts, layouts[l]), layouts[l]);
  } else if (layouts.size() == 1) {
    out += fmt::format("layout: {}\n", layouts[0]);
  }
  return out + aligned(head, rows) + render_event_table(run, profile);
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
  return aligned(head, rows);
}

namespace {
// RFC 4180: quote a field that holds a comma, quote or line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_value(const MetricValue& v) {
  switch (v.kind) {
    case MetricValue::Kind::kCount:
      return std::to_string(v.count);
    case MetricValue::Kind::kReal:
      return fmt::format("{:.6f}", v.real);
    case MetricValue::Kind::kNone:
      break;
  }
  return "";
}
}  // namespace

std::string render_csv(const std::vector<RunReport>& runs, const Profile& profile) {
  std::string out = "workload,scheme";
  for (const SchemeMetricDef& d : scheme_metric_defs()) out += fmt::format(",{}", d.name);
  out += ",layout\n";
  for (const auto& run : runs) {
    const auto metrics = metrics_of(run, profile);
    for (size_t i = 0; i < metrics.size(); ++i) {
      out += fmt::format("{},{}", csv_field(run.workload), csv_field(metrics[i].scheme));
      for (const SchemeMetricDef& d : scheme_metric_defs())
        out += fmt::format(",{}", csv_value(d.value(metrics[i])));
      out += fmt::format(",{}\n", csv_field(run.schemes[i].layout));
    }
  }
  return out;
}

}  // namespace hvsim
