// The profile hvsim calibrate writes: edits of the default profile's text that load_profile reads
// back with the measured values, unmeasured keys kept with their sources, the exit costs kept
// (with the reason) wherever KVM is absent, emulated or kvm_pvm; and the command's output paths,
// checked before anything is measured.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "calibrate/calibrated_profile.h"
#include "calibrate/kvm_costs.h"
#include "calibrate/profile_rewrite.h"
#include "common/profile.h"
#include "test_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;

double number(const Profile& p, const std::string& key) {
  const ConfigValue v = p.value(key);
  if (const auto* u = std::get_if<uint64_t>(&v)) return static_cast<double>(*u);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  ADD_FAILURE() << key << " is not a number";
  return -1;
}

std::string line_of(const std::string& text, const std::string& start) {
  const size_t at = text.find("\n" + start);
  if (at == std::string::npos) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

TEST(CalibrateRewrite, EditsValuesAndCommentsAndKeepsEverythingElse) {
  const std::string base =
      "# a profile\n"
      "[core]\n"
      "frequency_ghz = 2.5             # [PVM] machine clock\n"
      "base_cycles_per_access = 1\n"
      "[cache]                         # old header\n"
      "l1_cycles = 5\n"
      "name = \"a # b\"   # quoted\n";
  const std::vector<ProfileEdit> edits = {
      {"core", "frequency_ghz", "2.300", "measured"},
      {"cache", "", std::nullopt, "new header"},
      {"cache", "l1_cycles", std::nullopt, "kept: not measured"},
      {"cache", "name", std::nullopt, "kept"},
  };
  EXPECT_EQ(rewrite_profile(base, edits, "# header"),
            "# header\n"
            "# a profile\n"
            "[core]\n"
            "frequency_ghz = 2.300           # measured\n"
            "base_cycles_per_access = 1\n"
            "[cache]                         # new header\n"
            "l1_cycles = 5                   # kept: not measured\n"
            "name = \"a # b\"                  # quoted; kept\n");
  EXPECT_THROW(rewrite_profile(base, {{"core", "no_such_key", "1", ""}}, ""), std::logic_error);
  EXPECT_THROW(rewrite_profile(base, {{"tlb", "", std::nullopt, "x"}}, ""), std::logic_error);
}

// What a run on a host like this one measures, without measuring.
Calibration synthetic() {
  Calibration c;
  c.date = "2025-01-01 00:00 UTC";
  c.cpu_model = "Test CPU";
  c.clock.ghz = 2.1;
  c.clock.method = "test";
  c.clock_during.ghz = 2.0;
  c.clock_during.method = "test";
  c.topology.source = "/test";
  c.topology.data = {
      {1, 48 * KiB, 12, 64, 64, "0"}, {2, 2 * MiB, 16, 64, 2048, "0"}, {3, 105 * MiB, 15, 64, 114688, "0-1"}};
  for (uint64_t f : {16 * KiB, 32 * KiB, 64 * KiB, 1 * MiB, 4 * MiB, 64 * MiB})
    c.lines.points.push_back({f, f / 64, 100000, {2.5, 2.5, 2.6, 5, true}, {}});
  c.cache.l1 = {true, 5.2, 16 * KiB, 32 * KiB, 0, ""};
  c.cache.l2 = {true, 16.4, 64 * KiB, 1 * MiB, 0, ""};
  c.cache.llc_invisible = true;
  c.cache.llc.note = "DRAM's latency from 4MiB on, inside the listed 105MiB: no level of its own";
  c.cache.dram = {true, 351.6, 4 * MiB, 64 * MiB, 0, ""};
  c.tlb.l1 = {true, 96, 0, 7.4};
  c.tlb.l2_hit_cycles = 7.4;
  c.tlb.l2 = {true, 2048, 7.4, 40};
  c.kvm.unavailable = "KVM is not usable here (HVSIM_NO_KVM is set)";
  judge_kvm_costs(c.kvm, KvmChoice::kAuto);
  return c;
}

TEST(CalibrateProfile, LoadsBackWithTheMeasuredValues) {
  const std::string text = calibrated_profile_text(synthetic());
  const Profile p = parse_profile(text, "calibrated");
  validate_profile(p);
  EXPECT_EQ(p.name, "calibrated");
  EXPECT_DOUBLE_EQ(number(p, "core.frequency_ghz"), 2.0);  // the clock during the chases
  EXPECT_EQ(number(p, "cache.l1_size"), 48.0 * KiB);
  EXPECT_EQ(number(p, "cache.l1_ways"), 12);
  EXPECT_EQ(number(p, "cache.l1_cycles"), 5);
  EXPECT_EQ(number(p, "cache.l2_size"), 2.0 * MiB);
  EXPECT_EQ(number(p, "cache.l2_cycles"), 16);
  EXPECT_EQ(number(p, "cache.llc_size"), 0);  // listed, never seen
  EXPECT_EQ(number(p, "cache.dram_cycles"), 352);
  EXPECT_EQ(number(p, "tlb.l1_4k_entries"), 96);
  EXPECT_EQ(number(p, "tlb.l2_entries"), 2040);  // whole sets of the default's 12 ways
  EXPECT_EQ(number(p, "tlb.l2_hit_cycles"), 7);
  EXPECT_NE(line_of(text, "l1_cycles = 5 ")
                .find("# measured: every-line chase on 2 MiB pages, plateau "
                      "16KiB..32KiB: 5.2 cycles, 2.50 ns; runs 2.50/2.50/2.60 ns"),
            std::string::npos)
      << text;
  EXPECT_NE(line_of(text, "llc_size = 0").find("sysfs lists a 105MiB 15-way L3"), std::string::npos);
}

TEST(CalibrateProfile, AnLlcShareIsTheSizeTheChaseSaw) {
  Calibration c = synthetic();
  c.cache.llc_invisible = false;
  c.cache.llc = {true, 138.4, 3 * MiB, 4 * MiB, 4 * MiB, ""};
  const std::string text = calibrated_profile_text(c);
  const Profile p = parse_profile(text, "calibrated");
  EXPECT_EQ(number(p, "cache.llc_size"), 4096.0 * 15 * 64);  // 4 MiB in whole 15-way sets, 4096 of them
  EXPECT_EQ(number(p, "cache.llc_ways"), 15);
  EXPECT_EQ(number(p, "cache.llc_cycles"), 138);
  EXPECT_NE(line_of(text, "llc_size")
                .find("measured: the chase leaves this level for DRAM after 4MiB, of the "
                      "105MiB 15-way L3 sysfs lists (CPUs 0-1)"),
            std::string::npos)
      << line_of(text, "llc_size");
}

TEST(CalibrateProfile, UnmeasuredKeysKeepTheDefaultAndItsSource) {
  const Calibration c = synthetic();
  const std::string text = calibrated_profile_text(c);
  const Profile p = parse_profile(text, "calibrated");
  const Profile d = load_profile("default");
  for (const char* key : {"costs.fork_cycles", "pwc.pde_entries", "tlb.l1_2m_entries", "io.halt_poll_ns"})
    EXPECT_EQ(number(p, key), number(d, key)) << key;
  EXPECT_EQ(line_of(text, "fork_cycles"),
            "fork_cycles = 25000                 # assumed: 10 us of task, file and "
            "VMA duplication");
  // KVM hidden: the exit costs are the default's, each saying why.
  EXPECT_EQ(number(p, "costs.vm_exit_cycles"), number(d, "costs.vm_exit_cycles"));
  EXPECT_EQ(number(p, "io.kick_exit_cycles"), number(d, "io.kick_exit_cycles"));
  for (const char* key : {"vm_exit_cycles", "hypercall_cycles", "kick_exit_cycles", "user_exit_cycles"})
    EXPECT_NE(line_of(text, key).find("; kept: KVM is not usable here (HVSIM_NO_KVM is set)"),
              std::string::npos)
        << line_of(text, key);
}

TEST(CalibrateProfile, NothingMeasuredIsTheDefaultProfile) {
  Calibration c;
  c.clock.ghz = 2.5;
  c.kvm.unavailable = "KVM is not usable here (no /dev/kvm)";
  judge_kvm_costs(c.kvm, KvmChoice::kAuto);
  const Profile p = parse_profile(calibrated_profile_text(c), "calibrated");
  const Profile d = load_profile("default");
  for (const char* key : {"cache.l1_cycles", "cache.llc_size", "cache.dram_cycles", "tlb.l2_entries",
                          "tlb.l2_hit_cycles", "costs.vm_exit_cycles"})
    EXPECT_EQ(number(p, key), number(d, key)) << key;
}

KvmCosts hardware_kvm(const std::string& module) {
  KvmCosts k;
  k.module = module;
  k.report.loop_ns = 1;
  k.report.rows = {{"empty guest loop iteration", 65535, 1, 1, 1, 0, 0},
                   {"PIO exit to user space", 2000, 3000, 2900, 3100, 1, 1},
                   {"PIO exit to in-kernel ioeventfd", 2000, 1000, 990, 1100, 0, 1}};
  k.cpuid = {"CPUID exit handled in the kernel", 2000, 500, 480, 520, 0, 1};
  return k;
}

TEST(CalibrateKvm, MeasuredExitsGoInOnlyWhereTheyAreHardwareExits) {
  KvmCosts k = hardware_kvm("kvm_intel");
  judge_kvm_costs(k, KvmChoice::kAuto);
  EXPECT_TRUE(k.use);
  judge_kvm_costs(k, KvmChoice::kDefault);
  EXPECT_FALSE(k.use);
  EXPECT_EQ(k.reason, "--kvm-costs default (measured 1000 ns for an exit to the kernel)");
  k = hardware_kvm("kvm_pvm");
  judge_kvm_costs(k, KvmChoice::kAuto);
  EXPECT_FALSE(k.use);
  EXPECT_EQ(k.reason.rfind("/dev/kvm is kvm_pvm, whose guests run in this machine's user mode", 0), 0u);
  judge_kvm_costs(k, KvmChoice::kMeasured);
  EXPECT_TRUE(k.use);
  k = hardware_kvm("kvm_intel");
  k.report.emulated = true;
  k.report.loop_ns = 2000;
  judge_kvm_costs(k, KvmChoice::kMeasured);
  EXPECT_FALSE(k.use);
  EXPECT_EQ(k.reason,
            "guest code is emulated on this /dev/kvm (an empty guest loop iteration takes 2000 ns), so exit "
            "times are the emulator's");
}

TEST(CalibrateKvm, UsedExitsArePricedAtTheProfileClock) {
  Calibration c = synthetic();
  c.kvm = hardware_kvm("kvm_intel");
  judge_kvm_costs(c.kvm, KvmChoice::kAuto);
  const std::string text = calibrated_profile_text(c);
  const Profile p = parse_profile(text, "calibrated");
  EXPECT_EQ(number(p, "costs.vm_exit_cycles"), 1000);  // 500 ns CPUID exit at 2 GHz
  EXPECT_EQ(number(p, "costs.hypercall_cycles"), 1000);
  EXPECT_EQ(number(p, "io.kick_exit_cycles"), 2000);
  EXPECT_EQ(number(p, "io.user_exit_cycles"), 6000);
  EXPECT_NE(line_of(text, "user_exit_cycles").find("measured: PIO exit to user space on /dev/kvm, 3000 ns"),
            std::string::npos);
}

// The command: bad paths and options fail at once, with one line and no file.
fs::path temp_dir() {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path d = fs::temp_directory_path() /
               ("hvsim_cal_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(CalibrateCli, HostileOutputPathsFailBeforeMeasuring) {
  const fs::path d = temp_dir();
  const std::string missing = (d / "missing" / "p.toml").string();
  struct Case {
    std::string args, err;
  };
  const std::vector<Case> cases = {
      {"--out " + d.string(), "hvsim: error: --out " + d.string() + ": is a directory; expected a file\n"},
      {"--json " + d.string(), "hvsim: error: --json " + d.string() + ": is a directory; expected a file\n"},
      {"--out " + missing, "hvsim: error: --out " + missing + ": cannot use the directory '" +
                               (d / "missing").string() + "': No such file or directory\n"},
      {"--out " + (d / "p.toml").string() + " --json " + (d / "p.toml").string(),
       "hvsim: error: --json " + (d / "p.toml").string() + ": is the same file as --out " +
           (d / "p.toml").string() + "; expected a different file for each output\n"},
  };
  for (const auto& c : cases) {
    const auto r = test::run_hvsim("calibrate " + c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_EQ(r.err, c.err) << c.args;
    EXPECT_EQ(r.out, "") << c.args;
  }
  EXPECT_TRUE(fs::is_empty(d));  // no file, no temporary left
  fs::remove_all(d);
}

TEST(CalibrateCli, BadOptionsAreNamed) {
  auto r = test::run_hvsim("calibrate --max-footprint 64KiB");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("hvsim: error: --max-footprint: '64KiB' is not valid; expected 1MiB to ", 0), 0u)
      << r.err;
  r = test::run_hvsim("calibrate --kvm-costs maybe");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "hvsim: error: --kvm-costs: 'maybe' is not valid; expected auto, measured or default\n");
}

// A short real run (1 MiB): what is asserted is what was written, never how fast anything was.
TEST(CalibrateCli, WritesAProfileThatHoldsWhatItMeasured) {
  const fs::path d = temp_dir();
  ::setenv("HVSIM_NO_KVM", "1", 1);
  const auto r = test::run_hvsim("calibrate --max-footprint 1MiB --out " + (d / "p.toml").string() +
                                 " --json " + (d / "c.json").string());
  ::unsetenv("HVSIM_NO_KVM");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\nprofile: " + (d / "p.toml").string() + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("calibrate: "), std::string::npos);  // progress on stderr
  const Profile p = load_profile((d / "p.toml").string());
  std::ifstream jf(d / "c.json");
  const auto j = nlohmann::json::parse(jf);
  EXPECT_DOUBLE_EQ(number(p, "core.frequency_ghz"), std::round(j["profile_ghz"].get<double>() * 1000) / 1000);
  if (j["fit"]["l1"]["found"].get<bool>()) {
    EXPECT_EQ(number(p, "cache.l1_cycles"), std::llround(j["fit"]["l1"]["cycles"].get<double>()));
  }
  EXPECT_EQ(j["kvm"]["unavailable"], "KVM is not usable here (HVSIM_NO_KVM is set)");
  EXPECT_EQ(number(p, "costs.vm_exit_cycles"), number(load_profile("default"), "costs.vm_exit_cycles"));
  std::ifstream pf(d / "p.toml");
  const std::string text((std::istreambuf_iterator<char>(pf)), {});
  EXPECT_NE(line_of(text, "vm_exit_cycles").find("kept: KVM is not usable here (HVSIM_NO_KVM is set)"),
            std::string::npos);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(d)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"c.json", "p.toml"}));
  fs::remove_all(d);
}

}  // namespace
}  // namespace hvsim
