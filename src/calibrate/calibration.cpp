#include "calibrate/calibration.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/utsname.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

#include "calibrate/pointer_chase.h"
#include "common/units.h"

namespace hvsim {
namespace {

using Clock = std::chrono::steady_clock;

void describe_host(Calibration& c) {
  c.cpu_model = cpuinfo_field(read_cpuinfo(), "model name");
  utsname u{};
  if (::uname(&u) == 0) c.kernel = fmt::format("{} {} {}", u.sysname, u.release, u.machine);
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  c.date = fmt::format("{:%Y-%m-%d %H:%M} UTC", tm);
}

ChaseRatio& measure_check_point(Calibration& c, ChaseBuffer& buf) {
  if (!c.check) c.check.emplace();
  ChaseRatio& r = *c.check;
  r.footprint = c.options.max_footprint;
  const uint64_t lines = r.footprint / kLineBytes;
  ChasePoint p = measure_point(link_lines(buf.data(), lines, 99), r.footprint, lines, c.options.rule);
  if (buf.kind() == PageKind::kHuge) {
    r.huge = p;
    r.huge_backing = buf.backing();
  } else {
    r.small = p;
    r.small_backing = buf.backing();
  }
  return r;
}

// The huge-page part: every-line curve, line-per-page curve, and the check's 2 MiB half.
void measure_on_huge_pages(Calibration& c, const Progress& progress) {
  const auto& o = c.options;
  ChaseBuffer huge(o.max_footprint, PageKind::kHuge);
  progress(ProgressKind::kStep, fmt::format("2 MiB pages: {}", huge.backing()));
  progress(ProgressKind::kStep, "every-line chase on 2 MiB pages (cache levels)");
  c.lines = measure_curve(huge, ChaseKind::kEveryLine, footprint_grid(o.min_footprint, o.max_footprint, 2),
                          o.rule, progress);
  progress(ProgressKind::kStep, "line-per-page chase on 2 MiB pages (TLB baseline)");
  c.pages_huge = measure_curve(huge, ChaseKind::kLinePerPage,
                               footprint_grid(o.min_footprint, o.max_footprint, 4), o.rule, progress);
  if (o.check) {
    progress(ProgressKind::kStep,
             fmt::format("check: every-line chase over {} on 2 MiB pages", format_size(o.max_footprint)));
    measure_check_point(c, huge);
  }
}

void measure_on_small_pages(Calibration& c, const Progress& progress) {
  const auto& o = c.options;
  ChaseBuffer small(o.max_footprint, PageKind::kSmall);
  progress(ProgressKind::kStep, fmt::format("4 KiB pages: {}", small.backing()));
  progress(ProgressKind::kStep, "line-per-page chase on 4 KiB pages (TLB)");
  c.pages_small = measure_curve(small, ChaseKind::kLinePerPage,
                                footprint_grid(o.min_footprint, o.max_footprint, 4), o.rule, progress);
  if (o.check) {
    progress(ProgressKind::kStep,
             fmt::format("check: every-line chase over {} on 4 KiB pages", format_size(o.max_footprint)));
    measure_check_point(c, small);
  }
}

}  // namespace

std::vector<uint64_t> Calibration::cache_sizes() const {
  std::vector<uint64_t> s;
  for (const auto& l : topology.data)
    if (s.size() + 1 == l.level) s.push_back(l.size);
  return s;
}

std::vector<CurvePoint> Calibration::tlb_difference() const {
  return curve_difference(pages_small.cycles(ghz(), true), pages_huge.cycles(ghz(), true));
}

void fit_calibration(Calibration& c) {
  std::vector<double> ghz;
  for (const ChaseCurve* curve : {&c.lines, &c.pages_huge, &c.pages_small})
    for (const auto& p : curve->points)
      if (p.ghz.median > 0) ghz.push_back(p.ghz.median);
  if (!ghz.empty()) {
    c.clock_during.spread = spread_of(ghz, true);
    c.clock_during.ghz = c.clock_during.spread.median;
    c.clock_during.method = fmt::format(
        "a 0.1 ms chain of dependent adds beside each run of the chases; "
        "median over the {} points",
        ghz.size());
  }
  c.cache = fit_cache_levels(c.lines.cycles(c.ghz()), c.cache_sizes());
  c.tlb = fit_tlb(c.tlb_difference());
}

Calibration run_calibration(const CalibrationOptions& options, const Progress& progress) {
  const auto t0 = Clock::now();
  Calibration c;
  c.options = options;
  describe_host(c);
  c.topology = read_cache_topology();
  progress(ProgressKind::kStep, "core clock: dependent adds");
  c.clock = measure_core_clock(options.rule);
  if (!(c.clock.ghz > 0))
    throw std::runtime_error(
        "the core clock could not be measured (no add chain here, no cpu MHz in /proc/cpuinfo)");
  measure_on_huge_pages(c, progress);
  measure_on_small_pages(c, progress);
  progress(ProgressKind::kStep, "core clock again");
  c.clock_after = measure_core_clock(options.rule);
  progress(ProgressKind::kStep, "VM exits on /dev/kvm");
  c.kvm = measure_kvm_costs(options.kvm);
  fit_calibration(c);
  c.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return c;
}

}  // namespace hvsim
