// hvsim calibrate's analysis on synthetic data: repetition until stable, plateaus and steps of
// latency curves, the cache levels and TLB reach fitted to them, and the parsers of what the
// kernel lists (smaps, sysfs caches, cpuinfo). Nothing here is timed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "calibrate/cache_topology.h"
#include "calibrate/calibrated_profile.h"
#include "calibrate/chase_buffer.h"
#include "calibrate/core_clock.h"
#include "calibrate/latency_curves.h"
#include "calibrate/latency_fit.h"
#include "calibrate/plateaus.h"
#include "calibrate/stable_repeat.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// The curve over `grid` with the value `f` gives each point.
std::vector<CurvePoint> curve(const std::vector<uint64_t>& grid, const std::function<double(uint64_t)>& f) {
  std::vector<CurvePoint> c;
  for (uint64_t x : grid) c.push_back({x, f(x)});
  return c;
}

std::vector<uint64_t> pages(const std::vector<uint64_t>& bytes) {
  std::vector<uint64_t> p;
  for (uint64_t b : bytes) p.push_back(b / 4096);
  return p;
}

TEST(CalibrateRepeat, StopsOnceTheLastMediansAgree) {
  std::vector<double> values = {10, 10.1, 9.9, 10, 10, 50, 50};
  size_t i = 0;
  const Spread s = repeat_until_stable([&] { return values[i++]; });
  EXPECT_TRUE(s.stable);
  EXPECT_EQ(s.runs, 5u);  // min_runs: the running medians 10, 10.1, 10, 10, 10 agree by then
  EXPECT_DOUBLE_EQ(s.min, 9.9);
  EXPECT_DOUBLE_EQ(s.median, 10);
  EXPECT_DOUBLE_EQ(s.max, 10.1);
}

TEST(CalibrateRepeat, GivesUpAtTheCapAndSaysSo) {
  StableRule rule;
  rule.max_runs = 9;
  double v = 0;
  // 10, 20, 30...: the running median keeps moving.
  const Spread s = repeat_until_stable([&] { return v += 10; }, rule);
  EXPECT_FALSE(s.stable);
  EXPECT_EQ(s.runs, 9u);
  EXPECT_DOUBLE_EQ(s.min, 10);
  EXPECT_DOUBLE_EQ(s.max, 90);
}

TEST(CalibrateRepeat, MediansAgreeWithinTheTolerance) {
  StableRule rule;  // window 3, 2%
  EXPECT_TRUE(medians_agree({50, 10, 10.1, 10.19}, rule));
  EXPECT_FALSE(medians_agree({10, 10.1, 10.3}, rule));
  EXPECT_FALSE(medians_agree({10, 10}, rule));  // fewer than the window
  EXPECT_DOUBLE_EQ(median_of({3, 1, 2}), 2);
}

TEST(CalibratePlateaus, FindsEachLevelAndSkipsTransitions) {
  // 4 4 4 | 9 (transition) | 20 20 21 | 80 80
  const std::vector<CurvePoint> c = {{1, 4},  {2, 4},  {3, 4},  {4, 9}, {5, 20},
                                     {6, 20}, {7, 21}, {8, 80}, {9, 80}};
  const auto ps = find_plateaus(c, {0.10, 0.5, 2});
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].x_first, 1u);
  EXPECT_EQ(ps[0].x_last, 3u);
  EXPECT_DOUBLE_EQ(ps[0].level, 4);
  EXPECT_EQ(ps[1].x_first, 5u);
  EXPECT_EQ(ps[1].x_last, 7u);
  EXPECT_DOUBLE_EQ(ps[1].level, 20);
  EXPECT_EQ(ps[2].x_first, 8u);
  EXPECT_DOUBLE_EQ(ps[2].level, 80);
}

TEST(CalibratePlateaus, ASlowDriftIsOnePlateau) {
  // 10 to 11.5 in steps of 0.3: a 10% band holds 10..10.9 and 11.2..11.5, and the two levels
  // (10.6, 11.5) are within 10% of each other, so they are joined.
  const std::vector<CurvePoint> c = {{1, 10}, {2, 10.3}, {3, 10.6}, {4, 10.9}, {5, 11.2}, {6, 11.5}};
  const auto ps = find_plateaus(c, {0.10, 0.5, 2});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].x_first, 1u);
  EXPECT_EQ(ps[0].x_last, 6u);
}

TEST(CalibratePlateaus, OneDisturbedPointIsSmoothedAway) {
  const std::vector<CurvePoint> c = {{1, 5}, {2, 5}, {3, 30}, {4, 5}, {5, 5}};
  const auto s = smooth_median3(c);
  EXPECT_DOUBLE_EQ(s[2].y, 5);
  EXPECT_DOUBLE_EQ(s[0].y, 5);
  const auto ps = find_plateaus(s);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_DOUBLE_EQ(ps[0].level, 5);
}

TEST(CalibratePlateaus, TheStepIsWhereTheCurvePassesHalfWay) {
  const std::vector<CurvePoint> c = {{10, 0}, {20, 0}, {30, 0}, {40, 4}, {50, 6}, {60, 10}, {70, 10}};
  const auto ps = find_plateaus(c, {0.1, 0.5, 2});
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(step_position(c, ps[0], ps[1]), 40u);  // 50 is the first at or above 5
  const auto d = curve_difference(c, {{10, 1}, {20, 1}});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_DOUBLE_EQ(d[1].y, -1);
}

// A cache hierarchy as the chase would see it: 4 cycles to 32 KiB, 14 to 1 MiB, 50 to 8 MiB, then
// 200, with one mixed point between L2 and the LLC.
double four_levels(uint64_t x) {
  if (x <= 32 * KiB) return 4;
  if (x <= 1 * MiB) return 14;
  if (x == 1536 * KiB) return 30;
  if (x <= 8 * MiB) return 50;
  return 200;
}

TEST(CalibrateCacheFit, EachLevelIsThePlateauWithinItsSize) {
  const auto c = curve(footprint_grid(16 * KiB, 256 * MiB, 2), four_levels);
  const CacheFit f = fit_cache_levels(c, {32 * KiB, 1 * MiB, 8 * MiB});
  ASSERT_TRUE(f.l1.found && f.l2.found && f.llc.found && f.dram.found);
  EXPECT_DOUBLE_EQ(f.l1.cycles, 4);
  EXPECT_EQ(f.l1.from, 16 * KiB);
  EXPECT_EQ(f.l1.to, 32 * KiB);
  EXPECT_DOUBLE_EQ(f.l2.cycles, 14);
  EXPECT_EQ(f.l2.from, 48 * KiB);
  EXPECT_EQ(f.l2.to, 1 * MiB);
  EXPECT_DOUBLE_EQ(f.llc.cycles, 50);
  EXPECT_EQ(f.llc.from, 2 * MiB);  // the mixed point at 1.5 MiB is no level's
  EXPECT_EQ(f.llc.to, 8 * MiB);
  EXPECT_EQ(f.llc.reach, 8 * MiB);
  EXPECT_DOUBLE_EQ(f.dram.cycles, 200);
  EXPECT_EQ(f.dram.from, 12 * MiB);
  EXPECT_FALSE(f.llc_invisible);
}

// This machine's shape: a listed 105 MiB LLC that the chase never sees.
double no_llc(uint64_t x) { return x <= 48 * KiB ? 5 : x <= 2 * MiB ? 16 : 350; }

TEST(CalibrateCacheFit, AnLlcAtDramLatencyIsInvisible) {
  const auto c = curve(footprint_grid(16 * KiB, 1 * GiB, 2), no_llc);
  const CacheFit f = fit_cache_levels(c, {48 * KiB, 2 * MiB, 105 * MiB});
  EXPECT_DOUBLE_EQ(f.l1.cycles, 5);
  EXPECT_DOUBLE_EQ(f.l2.cycles, 16);
  EXPECT_EQ(f.l2.from, 64 * KiB);
  EXPECT_FALSE(f.llc.found);
  EXPECT_TRUE(f.llc_invisible);
  EXPECT_EQ(f.llc.note, "DRAM's latency from 3MiB on, inside the listed 105MiB: no level of its own");
  EXPECT_DOUBLE_EQ(f.dram.cycles, 350);
  EXPECT_EQ(f.dram.from, 3 * MiB);
}

// A share of the listed LLC: hits at 140 cycles to 4 MiB, then DRAM.
double small_llc(uint64_t x) { return x <= 2 * MiB ? no_llc(x) : x <= 4 * MiB ? 140 : 400; }

TEST(CalibrateCacheFit, AnLlcSmallerThanListedIsFoundWithItsReach) {
  const auto c = curve(footprint_grid(16 * KiB, 1 * GiB, 2), small_llc);
  const CacheFit f = fit_cache_levels(c, {48 * KiB, 2 * MiB, 105 * MiB});
  ASSERT_TRUE(f.llc.found) << f.llc.note;
  EXPECT_FALSE(f.llc_invisible);
  EXPECT_DOUBLE_EQ(f.llc.cycles, 140);
  EXPECT_EQ(f.llc.from, 3 * MiB);
  EXPECT_EQ(f.llc.to, 4 * MiB);
  EXPECT_EQ(f.llc.reach, 4 * MiB);
  EXPECT_DOUBLE_EQ(f.dram.cycles, 400);
  EXPECT_EQ(f.dram.from, 6 * MiB);
}

TEST(CalibrateCacheFit, LevelsBeyondTheLargestFootprintAreNotFound) {
  const auto c = curve(footprint_grid(16 * KiB, 1 * MiB, 2), no_llc);
  const CacheFit f = fit_cache_levels(c, {48 * KiB, 2 * MiB, 105 * MiB});
  EXPECT_TRUE(f.l1.found);
  EXPECT_TRUE(f.l2.found);
  EXPECT_FALSE(f.llc.found);
  EXPECT_FALSE(f.llc_invisible);
  EXPECT_EQ(f.llc.note, "not reached: the largest footprint was 1MiB");
  EXPECT_FALSE(f.dram.found);
  EXPECT_EQ(f.dram.note, "no plateau beyond 105MiB (the largest footprint was 1MiB)");
}

TEST(CalibrateCacheFit, WithoutListedSizesThePlateausAreTakenInOrder) {
  const auto c = curve(footprint_grid(16 * KiB, 256 * MiB, 2), four_levels);
  const CacheFit f = fit_cache_levels(c, {});
  EXPECT_DOUBLE_EQ(f.l1.cycles, 4);
  EXPECT_DOUBLE_EQ(f.l2.cycles, 14);
  EXPECT_DOUBLE_EQ(f.llc.cycles, 50);
  EXPECT_DOUBLE_EQ(f.dram.cycles, 200);
}

// 4 KiB minus 2 MiB pages, per page count: nothing to 64 pages, a 7-cycle second-level hit to
// 1536, walks of 35 cycles, then walks whose entries come from DRAM.
double tlb_steps(uint64_t p) {
  if (p <= 64) return 0;
  if (p <= 1536) return 7;
  if (p <= 16384) return 35;
  return 300;
}

TEST(CalibrateTlbFit, EntriesAreWhereTheDifferenceSteps) {
  const auto d = curve(pages(footprint_grid(16 * KiB, 1 * GiB, 4)), tlb_steps);
  const TlbFit t = fit_tlb(d);
  ASSERT_TRUE(t.l1.found);
  ASSERT_TRUE(t.l2.found);
  EXPECT_EQ(t.l1.entries, 64u);
  EXPECT_DOUBLE_EQ(t.l2_hit_cycles, 7);
  EXPECT_EQ(t.l2.entries, 1536u);
  EXPECT_DOUBLE_EQ(t.walk_cycles, 35);
  EXPECT_EQ(t.max_pages, 262144u);
  EXPECT_DOUBLE_EQ(t.miss_cycles_at_max, 300);
}

TEST(CalibrateTlbFit, ASmallBumpBetweenIsNoSecondLevelStep) {
  // Another tenant's share of a TLB: 13 cycles at 640 and 768 pages, under twice the first step.
  const auto d = curve(pages(footprint_grid(16 * KiB, 1 * GiB, 4)),
                       [](uint64_t p) { return p == 640 || p == 768 ? 13 : tlb_steps(p); });
  const TlbFit t = fit_tlb(d);
  EXPECT_EQ(t.l1.entries, 64u);
  EXPECT_EQ(t.l2.entries, 1536u);
  EXPECT_DOUBLE_EQ(t.walk_cycles, 35);
}

TEST(CalibrateTlbFit, NoStepWithinTheFootprintsIsSaid) {
  const auto d = curve(pages(footprint_grid(16 * KiB, 256 * KiB, 4)), tlb_steps);
  const TlbFit t = fit_tlb(d);
  EXPECT_FALSE(t.l1.found);
  EXPECT_EQ(t.note, "no step: the first-level TLB held every page measured");
}

TEST(CalibrateGrid, FootprintsAreWholePagesFourOrTwoPerOctave) {
  EXPECT_EQ(footprint_grid(16 * KiB, 64 * KiB, 4),
            (std::vector<uint64_t>{16 * KiB, 20 * KiB, 24 * KiB, 28 * KiB, 32 * KiB, 40 * KiB, 48 * KiB,
                                   56 * KiB, 64 * KiB}));
  EXPECT_EQ(footprint_grid(16 * KiB, 64 * KiB, 2),
            (std::vector<uint64_t>{16 * KiB, 24 * KiB, 32 * KiB, 48 * KiB, 64 * KiB}));
}

TEST(CalibrateHost, SmapsFiguresOfTheMappingsOverlappingARange) {
  const std::string smaps =
      "7f0000000000-7f0000400000 rw-p 00000000 00:00 0\n"
      "Size:               4096 kB\n"
      "KernelPageSize:        4 kB\n"
      "AnonHugePages:      2048 kB\n"
      "Private_Hugetlb:       0 kB\n"
      "VmFlags: rd wr mr mw me ac hg\n"
      "7f0000400000-7f0000600000 rw-p 00000000 00:00 0\n"
      "AnonHugePages:      2048 kB\n"
      "7f0000600000-7f0000800000 r-xp 00000000 fd:01 12 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
      "AnonHugePages:      2048 kB\n";
  const SmapsFigures f = parse_smaps(smaps, 0x7f0000000000, 0x7f0000600000);
  EXPECT_EQ(f.bytes, 6 * MiB);
  EXPECT_EQ(f.anon_huge_bytes, 4 * MiB);
  EXPECT_EQ(f.hugetlb_bytes, 0u);
  EXPECT_EQ(f.kernel_page_size, 4096u);
}

void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s << "\n"; }

TEST(CalibrateHost, SysfsCachesAreReadByLevelDataAndUnifiedOnly) {
  const fs::path root = fs::temp_directory_path() / ("hvsim_sysfs_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto level = [&](const char* idx, const char* lvl, const char* type, const char* size, const char* ways) {
    fs::create_directories(root / idx);
    write(root / idx / "level", lvl);
    write(root / idx / "type", type);
    write(root / idx / "size", size);
    write(root / idx / "ways_of_associativity", ways);
    write(root / idx / "coherency_line_size", "64");
    write(root / idx / "number_of_sets", "64");
    write(root / idx / "shared_cpu_list", "0");
  };
  level("index3", "3", "Unified", "107520K", "15");
  level("index0", "1", "Data", "48K", "12");
  level("index1", "1", "Instruction", "32K", "8");
  level("index2", "2", "Unified", "2048K", "16");
  const CacheTopology t = read_cache_topology(root.string());
  fs::remove_all(root);
  ASSERT_EQ(t.data.size(), 3u);
  EXPECT_EQ(t.data[0].size, 48 * KiB);
  EXPECT_EQ(t.data[0].ways, 12u);
  EXPECT_EQ(t.data[1].size, 2 * MiB);
  EXPECT_EQ(t.data[2].size, 105 * MiB);
  EXPECT_EQ(t.data[2].line, 64u);
  EXPECT_TRUE(read_cache_topology("/nonexistent/cache").data.empty());
  EXPECT_EQ(parse_sysfs_size("2M"), 2 * MiB);
  EXPECT_EQ(parse_sysfs_size("twelve"), 0u);
}

TEST(CalibrateHost, CpuinfoFieldsAndRepresentableCacheSizes) {
  const std::string cpuinfo = "processor\t: 0\nmodel name\t: Some CPU @ 2.0GHz\ncpu MHz\t\t: 2000.000\n";
  EXPECT_EQ(cpuinfo_field(cpuinfo, "cpu MHz"), "2000.000");
  EXPECT_EQ(cpuinfo_field(cpuinfo, "model name"), "Some CPU @ 2.0GHz");
  EXPECT_EQ(cpuinfo_field(cpuinfo, "flags"), "");
  EXPECT_EQ(representable_cache_size(48 * KiB, 12, 64), 48 * KiB);
  EXPECT_EQ(representable_cache_size(105 * MiB, 15, 64), 60 * MiB);  // 65536 sets, not 114688
  EXPECT_EQ(representable_cache_size(512, 16, 64), 0u);
}

}  // namespace
}  // namespace hvsim
