#include "cli/reproduce_claims.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace hvsim {
namespace {

using nlohmann::json;

const json& result_of(const json& run, const std::string& scheme) {
  for (const json& r : run.at("results"))
    if (r.at("scheme") == scheme) return r;
  throw std::runtime_error("no result for scheme " + scheme);
}

double total(const json& run, const std::string& scheme) {
  return result_of(run, scheme).at("total_cycles").get<double>();
}

double event_us(const json& run, const std::string& scheme, const std::string& kind) {
  return result_of(run, scheme).at("events").at(kind).at("us_per_op").get<double>();
}

double event_cycles(const json& run, const std::string& scheme, const std::string& kind) {
  const json& events = result_of(run, scheme).at("events");
  return events.contains(kind) ? events.at(kind).at("cycles").get<double>() : 0.0;
}

double change(double before, double after) { return 100.0 * (after / before - 1.0); }

bool within(double value, double lo, double hi) { return value >= lo && value <= hi; }

ClaimVerdict verdict(std::string figure, bool direction, bool in_band, std::string reason) {
  return {std::move(figure), direction ? (in_band ? "yes" : "direction") : "no",
          in_band ? "" : std::move(reason)};
}

std::vector<std::string> compare(std::string workload, std::string schemes,
                                 std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"compare", "--workload", std::move(workload), "--schemes",
                                   std::move(schemes)};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

Claim pvm_fault() {
  Claim c{"pvm-fault",
          "PVM (SOSP 2023), Table 4",
          "a guest page fault costs far less with EPT than with shadow paging",
          "0.15 us with EPT, 0.88-1.01 us with shadow paging",
          "each within a factor of 2 of the paper's",
          {compare("pagefault", "nested,shadow",
                   {"--footprint", "64MiB", "--accesses", "100k", "--warmup", "0"})},
          nullptr};
  c.judge = [](const std::vector<json>& r) {
    const double ept = event_us(r[0], "nested", "page_fault"), spt = event_us(r[0], "shadow", "page_fault");
    return verdict(
        fmt::format("{:.2f} us with EPT (nested), {:.2f} us shadow ({:.1f}x)", ept, spt, spt / ept),
        spt > ept, within(ept, 0.075, 0.30) && within(spt, 0.44, 2.02),
        "hvsim's shadow fault is the classic one: the guest's fault, its PTE write trapped and the "
        "shadow entry filled, each an exit; PVM's figure is for its own paravirtual shadow paging");
  };
  return c;
}

Claim pibooster() {
  Claim c{
      "pibooster",
      "PiBooster (CLOUD 2016; seed 000)",
      "a page-table page cache and split validation cut PV page-table (de)allocation and process "
      "create+exit, and eliminate the IOTLB flushes of page-table pages",
      "page-table (de)allocation -47%, process create+exit -16%, IOTLB flushes eliminated",
      "each reduction within a factor of 2 of the paper's, flushes 0",
      {compare("fork-exit", "pv,pv-pibooster",
               {"--footprint", "64MiB", "--accesses", "100k", "--warmup", "0", "--set", "pv.iommu=true"})},
      nullptr};
  c.judge = [](const std::vector<json>& r) {
    const json &pv = result_of(r[0], "pv"), &pib = result_of(r[0], "pv-pibooster");
    const double alloc =
        change(pv.at("pt_alloc_cycles").get<double>(), pib.at("pt_alloc_cycles").get<double>());
    const auto lifecycle = [&](const char* s) {
      return event_cycles(r[0], s, "fork") + event_cycles(r[0], s, "exit");
    };
    const double proc = change(lifecycle("pv"), lifecycle("pv-pibooster"));
    const uint64_t flushes = pib.at("iotlb_flushes"), before = pv.at("iotlb_flushes");
    return verdict(
        fmt::format("page-table (de)allocation {:+.1f}%, fork+exit {:+.1f}%, IOTLB flushes {} -> {}", alloc,
                    proc, before, flushes),
        alloc < 0 && proc < 0 && flushes < before,
        alloc <= -23.5 && alloc >= -94 && proc <= -8 && proc >= -32 && flushes == 0,
        "PV validation and unpinning costs are assumed (no published per-step figures): the size "
        "of each cut follows from them");
  };
  return c;
}

Claim agile() {
  Claim c{"agile",
          "Agile Paging (ISCA 2016), Fig. 5",
          "nested is worst on TLB-miss-heavy work, shadow worst on page-table churn (dedup); agile "
          "within a few percent of the better of the two",
          "ordering as stated; agile within ~5% of the better",
          "the ordering holds on both; agile within 5% of the better",
          {compare("gups", "nested,shadow,agile", {"--footprint", "256MiB", "--accesses", "200k"}),
           compare("mmap-churn", "nested,shadow,agile", {"--footprint", "256MiB", "--accesses", "200k"})},
          nullptr};
  c.judge = [](const std::vector<json>& r) {
    const auto gap = [&](const json& run) {
      return change(std::min(total(run, "nested"), total(run, "shadow")), total(run, "agile"));
    };
    const double tlb_nested = change(total(r[0], "shadow"), total(r[0], "nested"));
    const double churn_shadow = change(total(r[1], "nested"), total(r[1], "shadow"));
    return verdict(
        fmt::format("gups: nested {:+.1f}% vs shadow, agile {:+.1f}% vs the better; mmap-churn: "
                    "shadow {:+.1f}% vs nested, agile {:+.1f}% vs the better",
                    tlb_nested, gap(r[0]), churn_shadow, gap(r[1])),
        tlb_nested > 0 && churn_shadow > 0, gap(r[0]) <= 5 && gap(r[1]) <= 5,
        "agile's switch to nested below changing tables costs more than the better static mode here");
  };
  return c;
}

Claim switching() {
  const std::vector<std::string> phased = {"--footprint", "64MiB", "--set",    "workload.phase=1000000",
                                           "--accesses",  "4M",    "--warmup", "1M"};
  std::vector<std::string> bare = phased;
  bare.insert(bare.end(), {"--profile", "bare"});
  Claim c{
      "switching",
      "dynamic SPT/TDP switching (seed 001)",
      "switching between shadow and nested paging at run time beats both static modes on a workload whose "
      "phases alternate between page-table churn and TLB misses",
      "better than both static modes (\"the best qualities of the two\")",
      "faster than the better static mode with bare; no slower than it (within 1%) with default",
      {compare("mmap-churn", "nested,shadow,switching", bare),
       compare("mmap-churn", "nested,shadow,switching", phased)},
      nullptr};
  c.judge = [](const std::vector<json>& r) {
    const auto gain = [&](const json& run) {
      return change(std::min(total(run, "nested"), total(run, "shadow")), total(run, "switching"));
    };
    return verdict(
        fmt::format("bare: {:+.1f}% against the better static mode (shadow {:+.1f}% vs nested); "
                    "default: {:+.1f}% against the better (nested)",
                    gain(r[0]), change(total(r[0], "nested"), total(r[0], "shadow")), gain(r[1])),
        gain(r[0]) < 0, gain(r[0]) < 0 && gain(r[1]) <= 1,
        "with default's page-walk caches and nested TLB over 2 MiB host pages, a TLB miss costs "
        "nested little more than shadow: only the churn phases differ, and nested is already best");
  };
  return c;
}

Claim tdp_large() {
  Claim c{"tdp-large",
          "simplified TDP with enlarged paging structures (seed 001)",
          "a host dimension of fewer, larger levels makes fewer references "
          "per walk than nested paging",
          "fewer references per walk than nested",
          "fewer",
          {compare("gups", "nested,tdp-large",
                   {"--profile", "bare", "--footprint", "256MiB", "--accesses", "200k"})},
          nullptr};
  c.judge = [](const std::vector<json>& r) {
    const double n = result_of(r[0], "nested").at("refs_per_walk"),
                 t = result_of(r[0], "tdp-large").at("refs_per_walk");
    return verdict(fmt::format("{:.2f} references per walk against nested's {:.2f} (bare profile)", t, n),
                   t < n, t < n, "");
  };
  return c;
}

Claim nocompromis() {
  Claim c{"nocompromis",
          "(No)Compromis (2021; seed 002)",
          "VM memory in host segments: up to 30% faster than shadow paging and up to 370% faster than EPT",
          "up to 1.30x over shadow, up to 4.70x over EPT",
          "faster than both; each larger ratio within a factor of 2 of the paper's gain",
          {compare("gups", "nested,shadow,vm-segment", {"--footprint", "1GiB", "--accesses", "200k"}),
           compare("gups", "nested,shadow,vm-segment",
                   {"--profile", "bare", "--footprint", "1GiB", "--accesses", "200k"})},
          nullptr};
  c.judge = [](const std::vector<json>& r) {
    const auto over = [&](const json& run, const char* s) {
      return total(run, s) / total(run, "vm-segment");
    };
    const double ept = std::max(over(r[0], "nested"), over(r[1], "nested"));
    const double spt = std::max(over(r[0], "shadow"), over(r[1], "shadow"));
    return verdict(
        fmt::format("default: {:.2f}x over EPT, {:.2f}x over shadow; bare: {:.2f}x over EPT, {:.2f}x "
                    "over shadow (gups, warm)",
                    over(r[0], "nested"), over(r[0], "shadow"), over(r[1], "nested"), over(r[1], "shadow")),
        ept > 1 && spt >= 1, ept >= 2.35 && ept <= 9.4 && spt >= 1.15 && spt <= 1.6,
        "warm, shadow's walk is as short as vm-segment's (the paper's shadow gain is from OS-intensive "
        "phases); over EPT the gain depends on how much page-walk caches and the nested TLB hide");
  };
  return c;
}

Claim tpt() {
  Claim c{
      "tpt",
      "Translation Pass-Through (seed 003)",
      "guest-owned gVA->hPA tables with checked host tags run near native, up to 2.4x over nested and 1.4x "
      "over shadow",
      "near native; up to 2.4x over nested, 1.4x over shadow",
      "tpt within 10% of native and at least 1.2x over nested",
      {compare("gups", "native,nested,shadow,tpt", {"--footprint", "1GiB", "--accesses", "200k"}),
       compare("gups", "native,nested,shadow,tpt",
               {"--profile", "bare", "--footprint", "1GiB", "--accesses", "200k"}),
       compare("gups", "native,nested,shadow,tpt",
               {"--footprint", "1GiB", "--accesses", "200k", "--set", "tpt.tag_cache_entries=1048576",
                "--set", "tpt.tag_cache_ways=16", "--set", "tpt.tag_cache_hit_cycles=0"})},
      nullptr};
  c.judge = [](const std::vector<json>& r) {
    const auto vs = [&](const json& run, const char* s) { return total(run, s) / total(run, "tpt"); };
    const auto native = [&](const json& run) { return change(total(run, "native"), total(run, "tpt")); };
    return verdict(
        fmt::format(
            "default: {:+.1f}% vs native, {:.2f}x over nested, {:.2f}x over shadow; bare: {:.2f}x over "
            "nested; free tag checks: {:+.1f}% vs native",
            native(r[0]), vs(r[0], "nested"), vs(r[0], "shadow"), vs(r[1], "nested"), native(r[2])),
        vs(r[1], "nested") > 1 && native(r[2]) < 10, native(r[0]) < 10 && vs(r[0], "nested") >= 1.2,
        "each TLB miss fetches the data page's tag from DRAM (docs/tpt.md): near native only when tag checks "
        "are free, and over nested only where nested walks are not hidden by caches (bare)");
  };
  return c;
}

const json& io_run(const json& file, const std::string& policy, uint64_t guests = 1) {
  for (const json& r : file.at("runs"))
    if (r.at("policy") == policy && r.at("guests") == guests) return r;
  throw std::runtime_error(fmt::format("no io run for policy {} with {} guests", policy, guests));
}

Claim exitless() {
  Claim c{
      "exitless",
      "exitless paravirtual I/O (seed 004)",
      "exitless notifications raise throughput and cut latency; one polling I/O core saturates when "
      "serving several I/O-intensive guests",
      "+45% throughput, -25 us latency; one I/O core saturating with several guests",
      "throughput gain and latency cut each within a factor of 2 of the paper's; saturation by 4 guests",
      {{"io", "--policy", "exit,exitless", "--load", "closed:64", "--requests", "200k"},
       {"io", "--policy", "exit,exitless", "--load", "closed:1", "--requests", "50k"},
       {"io", "--policy", "exitless", "--load", "closed:8", "--requests", "100k", "--sweep", "guests=1..4"}},
      nullptr};
  c.judge = [](const std::vector<json>& r) {
    const auto rps = [](const json& run) { return run.at("throughput_rps").get<double>(); };
    const double gain = change(rps(io_run(r[0], "exit")), rps(io_run(r[0], "exitless")));
    const double cut = io_run(r[1], "exitless").at("latency_mean_us").get<double>() -
                       io_run(r[1], "exit").at("latency_mean_us").get<double>();
    uint64_t saturated = 0;  // the guest count past which another guest adds under 5% in all
    for (uint64_t g = 2; g <= 4 && !saturated; ++g)
      if (rps(io_run(r[2], "exitless", g)) < 1.05 * rps(io_run(r[2], "exitless", g - 1))) saturated = g - 1;
    return verdict(
        fmt::format("throughput {:+.1f}%, latency {:+.2f} us; one I/O core saturated by {} guests "
                    "({:.0f}k req/s in all; more add nothing)",
                    gain, cut, saturated ? std::to_string(saturated) : "more than 4",
                    rps(io_run(r[2], "exitless", saturated ? saturated : 4)) / 1000),
        gain > 0 && cut < 0 && saturated, gain >= 22.5 && gain <= 90 && cut <= -12.5 && cut >= -50,
        "hvsim's exit path is priced from measured primitives (docs/io.md): its whole request takes "
        "8.5 us, so an exit cannot save 25 us of it; the paper's baseline path costs more than hvsim "
        "has a source for");
  };
  return c;
}

Claim provisioning() {
  const std::string pods = "alibaba-gpu-v2023/openb_pod_list_default.csv";
  const std::string nodes = "alibaba-gpu-v2023/openb_node_list_all_node.csv";
  Claim c{"provisioning",
          "(No)Compromis (2021; seed 002)",
          "up to 99.99% of VMs can be provisioned with a single host memory segment",
          "up to 99.99% of VMs with one segment (310 datacenter traces)",
          "the best placement policy's single-segment share at least 99.9%",
          {{"cluster", "--pods", "{data}/" + pods, "--nodes", "{data}/" + nodes, "--policy",
            "packing,spreading,tightest", "--allocator", "first-fit"}},
          nullptr,
          {pods, nodes}};
  c.judge = [](const std::vector<json>& r) {
    double best = 0, worst = 100;
    std::string best_policy, worst_policy;
    for (const json& run : r[0].at("runs")) {
      const double placed = run.at("placed"), split = run.at("multi_segment");
      const double share = placed > 0 ? 100 * (placed - split) / placed : 0;
      if (share > best) best = share, best_policy = run.at("policy");
      if (share < worst) worst = share, worst_policy = run.at("policy");
    }
    return verdict(fmt::format("{:.2f}% with {} placement, {:.2f}% with {} (Alibaba GPU cluster 2023, real "
                               "arrivals and departures on 1,523 hosts)",
                               best, best_policy, worst, worst_policy),
                   best >= 99, best >= 99.9, "docs/cluster.md: the share depends on the placement policy");
  };
  return c;
}

}  // namespace

const std::vector<Claim>& seed_claims() {
  static const std::vector<Claim> claims = {pvm_fault(),    pibooster(), switching(),
                                            agile(),        tdp_large(), nocompromis(),
                                            provisioning(), tpt(),       exitless()};
  return claims;
}

}  // namespace hvsim
