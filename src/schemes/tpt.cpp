// tpt: Translation Pass-Through (Bergman et al., ATC 2023). The guest owns one-dimensional
// gVA -> hPA tables and writes them itself, without exits; a TLB miss walks them in one
// dimension (g references). Isolation comes from host memory tags: the frame a translation ends
// at and the page-table pages the walker reaches must carry this VM's owner tag. When each is
// checked is tag_check (schemes/tpt_tag_check.h): by default at the end of the walk, before the
// TLB fill, with the result kept in the TLB entry (and in page-walk-cache entries), as AMD
// SEV-SNP checks its RMP. A check goes through the tag cache; misses fetch the tag entry through
// the data caches and are reported apart from the walk's own references (details: tag_fetches).
// A foreign tag is a fault: an exit to the hypervisor, counted (tag_faults); hvsim then lets the
// hypervisor hand the frame back so the access completes with the same answer as every other
// scheme.
//
// Keys ([tpt]): tag_check, tag_cache_entries, tag_cache_ways, tag_cache_hit_cycles,
// tag_entry_bytes (16, as SEV-SNP's RMP; smaller tags pack more frames per cache line),
// tag_fault_cycles, and inject_foreign_every = N, which tags every Nth page the guest maps as
// another VM's (a fault injector for isolation experiments and tests; 0 = off).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hv/host_mapped_tables.h"
#include "hv/memory_tags.h"
#include "paging/walker.h"
#include "schemes/follow_guest.h"
#include "schemes/scheme_details.h"
#include "schemes/tlb_scheme.h"
#include "schemes/tpt_tag_check.h"

namespace hvsim {
namespace {

constexpr uint16_t kThisVm = 1, kOtherVm = 2;

struct TptConfig {
  TagCheckMode tag_check = TagCheckMode::kFill;
  MemoryTagConfig tags;
  std::optional<uint32_t> tag_fault_cycles;  // unset: costs.ept_violation_cycles
  uint64_t inject_foreign_every = 0;
};

HVSIM_CONFIG_SECTION(TptConfig, "tpt", 0, "Translation Pass-Through's host memory tags") {
  s.choice(
       "tag_check", &TptConfig::tag_check,
       std::vector<std::pair<std::string, TagCheckMode>>{
           {"fill", TagCheckMode::kFill}, {"walk", TagCheckMode::kWalk}, {"access", TagCheckMode::kAccess}})
      .doc(
          "when tags are checked: fill = at the end of the walk, result kept in the TLB and page-walk-cache "
          "entries (SEV-SNP's RMP check); walk = every table page read and the fill; access = walk, and "
          "every TLB hit");
  s.integer(
       "tag_cache_entries", [](TptConfig & c) -> auto& { return c.tags.cache_entries; }, 0, 1u << 20)
      .unit("entries")
      .doc("tag cache entries (assumed; 0 = none: every check fetches its tag through the data caches)");
  s.integer(
       "tag_cache_ways", [](TptConfig & c) -> auto& { return c.tags.cache_ways; }, 1, 1u << 20)
      .unit("ways")
      .doc("tag cache associativity");
  s.integer(
       "tag_cache_hit_cycles", [](TptConfig & c) -> auto& { return c.tags.cache_hit_cycles; }, 0, 1000)
      .unit("cycles")
      .doc("cycles of a tag cache hit");
  s.integer(
       "tag_entry_bytes", [](TptConfig & c) -> auto& { return c.tags.entry_bytes; }, 1, 64)
      .unit("bytes")
      .doc("bytes of one frame's tag (16, as SEV-SNP's RMP; smaller tags pack more per cache line)");
  s.integer("tag_fault_cycles", &TptConfig::tag_fault_cycles, 0, kMaxCostCycles)
      .unit("cycles")
      .doc(
          "hypervisor handler of a foreign-tag fault, on top of the exit (default: "
          "costs.ept_violation_cycles)");
  s.integer("inject_foreign_every", &TptConfig::inject_foreign_every, 0, uint64_t{1} << 40)
      .unit("pages")
      .doc("tag every Nth page the guest maps as another VM's, to inject isolation faults (0 = off)");
}

class TptScheme final : public TlbScheme<TptScheme> {
 public:
  explicit TptScheme(SchemeContext& ctx)
      : TlbScheme(ctx),
        pwc_(ctx.profile.section<PwcConfig>()),
        tables_(ctx.machine.hypervisor(), ctx.machine.pool_bytes(),
                ctx.profile.section<PagingConfig>().guest_levels),
        tag_pool_(ctx.machine.hypervisor().make_pool(ctx.machine.hypervisor().host_memory_bytes() / 4096 *
                                                     ctx.profile.section<TptConfig>().tags.entry_bytes)),
        tags_(tag_pool_.allocate() << 12, ctx.profile.section<TptConfig>().tags),
        mode_(ctx.profile.section<TptConfig>().tag_check),
        tag_fault_cycles_(ctx.profile.section<TptConfig>().tag_fault_cycles),
        inject_every_(ctx.profile.section<TptConfig>().inject_foreign_every) {}

 private:
  // New host memory is handed to the VM (and tagged) by the hypervisor: priced like nested's
  // EPT violation, so both see the same population policy.
  void charge_population(const EventEffect& e) {
    for (uint32_t p = 0; p < e.memory.host_pages_populated; ++p)
      stats.exit(ExitReason::kOther, Cost::kEptViolation);
    frames_assigned_ += e.memory.host_pages_populated;
  }
  auto table_tagger() {
    return [this](uint64_t frame) { tag(frame, kThisVm); };
  }
  auto leaf_tagger() {
    return [this](HostPhysAddr page, PageSize) {
      bool foreign = inject_every_ && ++leaves_ % inject_every_ == 0;
      tag(page.value >> 12, foreign ? kOtherVm : kThisVm);
    };
  }
  // A tag-table write where the frame's owner changes.
  void tag(uint64_t frame, uint16_t owner) {
    if (tags_.owner(frame) == owner) return;
    tags_.assign(frame, owner);
    ++tag_assignments_;
  }

 public:
  Translation<HostPhysAddr> walk(const Event& ev) {
    if (ev.pid != table_pid_ || !table_) {
      table_ = tables_.find(ev.pid);
      table_pid_ = ev.pid;
    }
    if (!table_) return Translation<HostPhysAddr>::fault({});
    // The table pages the walk reads, checked once the walk is done.
    uint64_t table_pages[5];
    int steps = 0, first_level = 0;
    auto w = walk_1d(*table_, GuestVirtAddr(ev.addr), space().pcid, pwc_, cache_,
                     [&](HostPhysAddr entry_addr, int level) {
                       if (steps == 0) first_level = level;
                       table_pages[steps++] = entry_addr.value >> 12;
                     });
    // The walk's own cost, plus the tag checks of the table pages it reached and of the frame
    // it ends at, before the TLB fill (reported apart from its references).
    WalkCost tag_cost;
    for (int i = first_checked_table(steps, first_level, table_->levels(), mode_); i < steps; ++i) {
      check_tag(table_pages[i], tag_cost);
      ++table_checks_;
    }
    Translation<HostPhysAddr> t = w.translation();
    if (t.ok()) check_tag(t.page().value >> 12, tag_cost);
    t.cost.cycles += tag_cost.cycles;
    return t;
  }

  // tag_check = access: the data frame is checked again on every TLB hit.
  static constexpr bool kTlbHitHook = true;
  uint32_t on_tlb_hit(HostPhysAddr page) {
    if (!checks_tlb_hits(mode_)) return 0;
    WalkCost cost;
    check_tag(page.value >> 12, cost);
    ++hit_checks_;
    return cost.cycles;
  }

  void on_guest_fault(const Event& ev, const Effect& fx) {
    charge_population(*fx);
    if (fx->fault.kind == FaultKind::kProtection) return;
    // The guest's own table writes need no exit (a copy-on-write simply rewrites the leaf).
    tables_.map_guest_page(space(), GuestVirtAddr(ev.addr), leaf_tagger(), table_tagger());
  }

  // The guest changes its own gVA -> hPA tables without exits (fork copies and write-protects,
  // exit and exec free, munmap clears); only host memory newly backing its new table pages is
  // handed over, and tagged, by the hypervisor.
  void on_os_event(const Effect& fx) {
    charge_population(*fx);
    if (follow_guest(tables_, fx, machine_.guest(), leaf_tagger(), table_tagger())) {
      if (const AddressSpace* as = machine_.guest().find_space(fx->pid)) pwc_.flush_asid(as->pcid);
    }
    table_ = nullptr;  // the table of a process that went away was freed
  }

  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t pcid) { pwc_.flush_asid(pcid); }

  void finish() override {
    stats.details["tag_checks"] = static_cast<double>(tags_.counters.checks);
    stats.details["tag_cache_hits"] = static_cast<double>(tags_.counters.cache_hits);
    stats.details["tag_fetches"] = static_cast<double>(tags_.counters.fetches);
    stats.details["tag_faults"] = static_cast<double>(tags_.counters.faults);
    stats.details["tag_table_checks"] = static_cast<double>(table_checks_);
    stats.details["tag_hit_checks"] = static_cast<double>(hit_checks_);
    stats.details["tag_dram_fetches"] = static_cast<double>(tags_.counters.dram_fetches);
    stats.details["tag_cycles"] = static_cast<double>(tags_.counters.cycles);
    if (stats.walks)
      stats.details["tag_fetches_per_walk"] = static_cast<double>(tags_.counters.fetches) / stats.walks;
    stats.details["host_frames_assigned"] = static_cast<double>(frames_assigned_);
    stats.details["tag_assignments"] = static_cast<double>(tag_assignments_);
    stats.details["tpt_table_pages"] = static_cast<double>(tables_.table_pages());
  }

 private:
  void check_tag(uint64_t frame, WalkCost& cost) {
    if (tags_.check(frame, kThisVm, cache_, cost)) return;
    // The access faults into the hypervisor, which here returns the frame to this VM.
    if (tag_fault_cycles_)
      stats.exit_cycles(ExitReason::kOther, *tag_fault_cycles_);
    else
      stats.exit(ExitReason::kOther, Cost::kEptViolation);
    tag(frame, kThisVm);
  }

  WalkCache pwc_;
  HostMappedTables tables_;
  HostTablePool tag_pool_;
  MemoryTags tags_;
  TagCheckMode mode_;
  // Unset: a tag fault is priced like an EPT violation (costs.ept_violation_cycles).
  std::optional<uint32_t> tag_fault_cycles_;
  uint64_t inject_every_;
  uint64_t leaves_ = 0, frames_assigned_ = 0, tag_assignments_ = 0;
  uint64_t table_checks_ = 0, hit_checks_ = 0;
  HostMappedTable* table_ = nullptr;
  uint32_t table_pid_ = 0;
};

}  // namespace

HVSIM_REGISTER_SCHEME(tpt, "tpt",
                      "Translation Pass-Through: guest-owned gVA->hPA tables, host memory tags checked", 9,
                      [](SchemeContext& ctx) { return std::make_unique<TptScheme>(ctx); });

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(
    tpt_details, {"tag_checks", "checks", "frame ownership checks"},
    {"tag_cache_hits", "hits", "checks the tag cache served"},
    {"tag_fetches", "references", "tag entries fetched through the cache hierarchy (not in walk_mem_refs)"},
    {"tag_faults", "faults", "accesses to a frame tagged for another VM (exits)"},
    {"tag_table_checks", "checks", "checks of page-table pages the walks reached"},
    {"tag_hit_checks", "checks", "checks on TLB hits (tag_check = access)"},
    {"tag_dram_fetches", "references", "tag fetches no data cache held (DRAM)"},
    {"tag_cycles", "cycles", "cycles of all tag checks (in walk_cycles; on TLB hits, in tlb_hit_cycles)"},
    {"tag_fetches_per_walk", "references", "tag_fetches / walks", DetailKind::kPerWalk, "tag_fetches"},
    {"host_frames_assigned", "frames", "host frames handed to the VM and tagged"},
    {"tag_assignments", "writes", "tag-table writes that changed a frame's owner"},
    {"tpt_table_pages", "pages", "TPT table pages at the end", DetailKind::kLevel});

}  // namespace hvsim
