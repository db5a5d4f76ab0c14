// agile: Agile Paging (Gandhi, Hill and Swift, ISCA 2016). A walk starts in the shadow table and,
// at the level whose guest table page is in nested mode, continues as a nested walk of the
// guest's own sub-table: each remaining guest level costs its entry plus a host walk, and the
// data page's guest-physical address one more host walk. With nothing cached and the switch at
// guest level s (0 = no switch) a walk fetches (g - s) + s(h + 1) + h entries for s > 0, g for
// s = 0: 4, 12, 16, 20 or 24 on 4+4 levels.
//
// Policy: every guest table page starts in shadow mode. Once shadow entries derive from it, it
// is write-protected; the first trapped write moves it (and so the subtree under it) to nested
// mode, where further writes need no exit. A nested page unwritten for `quiet_period` accesses
// moves back to shadow at the next periodic check (every quarter period), the hypervisor
// re-protecting it and syncing the shadow entries of the subtree below it.
//
// Keys ([agile] in a profile, or --set agile.KEY=VALUE):
//   quiet_period  accesses without a write before a nested page returns to shadow (100000)
//   page_cycles   hypervisor cycles per guest table page synced when a subtree moves back (2048)
#include <array>
#include <string>

#include <algorithm>
#include <vector>
#include "common/flat_map.h"
#include "hv/guest_leaves.h"
#include "hv/guest_walk_2d.h"
#include "hv/nested_walker.h"
#include "hv/shadow_tables.h"
#include "schemes/agile_page_modes.h"
#include "schemes/scheme_details.h"
#include "schemes/shadow_paging.h"
#include "schemes/tlb_scheme.h"

namespace hvsim {
namespace {

struct AgileConfig {
  uint64_t quiet_period = 100'000;
  uint64_t page_cycles = 2048;
};

HVSIM_CONFIG_SECTION(AgileConfig, "agile", 0, "Agile Paging") {
  s.integer("quiet_period", &AgileConfig::quiet_period, 1, uint64_t{1} << 48)
      .unit("accesses")
      .doc("accesses without a write before a nested page returns to shadow");
  s.integer("page_cycles", &AgileConfig::page_cycles, 0, 1'000'000'000)
      .unit("cycles")
      .doc("hypervisor cycles per guest table page synced when a subtree moves back");
}

class AgileScheme final : public TlbScheme<AgileScheme> {
 public:
  explicit AgileScheme(SchemeContext& ctx)
      : TlbScheme(ctx),
        host_(ctx.machine.hypervisor().ept(), ctx.profile, cache_),
        shadow_(ctx, stats, cache_) {
    quiet_ = ctx.profile.section<AgileConfig>().quiet_period;
    page_cycles_ = ctx.profile.section<AgileConfig>().page_cycles;
    check_every_ = std::max<uint64_t>(1, quiet_ / 4);
    next_check_ = check_every_;
  }

  Translation<HostPhysAddr> walk(const Event& ev) {
    tick();
    GuestVirtAddr va(ev.addr);
    const GuestPageTable& gt = *space().table;
    int s = 0;
    WalkPath<GuestPhysAddr> gpath;
    if (!nested_.empty()) {
      gpath = gt.walk(va);
      s = nested_.switch_level(gpath);
    }
    WalkCost cost;
    WalkPath<HostPhysAddr> path;
    // The guest page-walk cache holds entries of the nested part only (levels <= s): a hit
    // there resumes the nested walk below the switch and skips the shadow part.
    WalkCache& gpwc = host_.guest_pwc();
    WalkCache::Start start{s, s ? gpath.table_frame_at[s] : 0};
    if (s) start = gpwc.lookup(va.value, space().pcid, s, gpath.table_frame_at[s]);
    if (start.level != s) {
      cost.cycles += gpwc.hit_cycles();
    } else {
      ShadowTable& table = shadow_.tables().table_for(space());
      path = shadow_part(table, va, s, cost);
      if (!shadow_complete(path, s)) {
        const bool filled = shadow_.hidden_fault(space(), va, cost, hv_walk_refs_);
        if (nested_.empty()) gpath = gt.walk(va);
        nested_.protect_path(gpath, s, va, space().pid);
        if (!filled) return Translation<HostPhysAddr>::fault(cost);
        cost = {};
        path = shadow_part(table, va, s, cost);
      }
    }
    ++walks_at_[s];
    if (s == 0) return Translation<HostPhysAddr>::to(path.result, path.size, cost);
    // The shadow entry above level s switches to the guest's own table page at level s.
    uint64_t guest_refs = 0;  // not reported apart
    auto t = walk_guest_2d(gt, va, space().pcid, start.level, start.table_frame, &gpwc, cache_, guest_refs,
                           [this](GuestPhysAddr gpa, HostPhysAddr& hpa, PageSize& hs, WalkCost& c) {
                             return host_.host_translate(gpa, hpa, hs, c);
                           });
    t.cost += cost;
    return t;
  }

  void on_guest_fault(const Event& ev, const Effect& fx) {
    tick();
    auto writes = fx.writes();
    auto gpath = space().table->walk(GuestVirtAddr(ev.addr));
    // The walk that faulted read the pages down to the first entry written; if one of them is
    // nested the fault reached the guest directly, else the shadow walk trapped it.
    int first = writes.empty() ? 1 : writes[0].level;
    if (nested_.nested_at_or_above(gpath, first)) {
      charge_ept_violations(*fx);
    } else {
      shadow_.intercept_fault();
      shadow_.charge_population(fx);
    }
    if (fx->fault.kind == FaultKind::kProtection) return;
    shadow_.drop_cow_source(ev, fx);
    for (const GuestPteWrite& w : writes)
      if (!nested_.nested_at_or_above(gpath, w.level + 1)) guest_write(w);  // else not protected
  }

  // OS events: guest table writes trap on protected pages (moving them to nested) and the
  // hypervisor intercepts TLB maintenance, as under shadow paging; shadow entries of unmapped
  // ranges and exited processes go, and so does the mode of freed guest table pages. A device
  // mapping changes no guest table (nor, like other such events, runs the periodic check).
  void on_os_event(const Effect& fx) {
    if (fx->device_mapping) return;
    tick();
    for (const GuestPteWrite& w : fx.writes()) {
      const PageState* st = nested_.find(w.entry.number(12));
      if (st && !under_nested(*st)) guest_write(w);
    }
    for (GuestPhysAddr t : fx.tables_freed()) nested_.forget(t.number(12));
    shadow_.follow(fx);
    shadow_.tlb_maintenance(fx);
    charge_ept_violations(*fx);
  }

  // With a shadow root the hypervisor must load the matching shadow table.
  void on_switch(const AddressSpace& next) {
    if (!nested_.is_nested(next.table->root_frame())) shadow_.cr3_write();
  }

  void flush_walk_caches(uint16_t pcid) {
    shadow_.pwc().flush_asid(pcid);
    host_.flush_asid(pcid);
  }

  void finish() override {
    stats.details["moves_to_nested"] = static_cast<double>(to_nested_);
    stats.details["moves_to_shadow"] = static_cast<double>(to_shadow_);
    stats.details["nested_pages"] = static_cast<double>(nested_.size());
    for (int s = 0; s <= 5; ++s)
      if (walks_at_[s])
        stats.details["walks_switching_at_level_" + std::to_string(s)] = static_cast<double>(walks_at_[s]);
    stats.details["hypervisor_walk_refs"] = static_cast<double>(hv_walk_refs_);
    stats.details["shadow_table_pages"] = static_cast<double>(shadow_.table_pages());
  }

 private:
  uint64_t clock() const { return stats.accesses; }

  // Periodic check (the hypervisor's timer): nested pages quiet for a whole period go back.
  void tick() {
    if (clock() < next_check_) return;
    next_check_ = clock() + check_every_;
    nested_.take_quiet(clock(), quiet_, [this](uint64_t frame) { to_shadow(frame); });
  }

  // A guest write to a table page not below a nested one: traps if the page is protected (and
  // moves it to nested); refreshes the quiet period of a nested page.
  void guest_write(const GuestPteWrite& w) {
    const uint64_t frame = w.entry.number(12);
    PageState* st = nested_.find(frame);
    if (!st) return;  // no shadow entry derives from this page yet
    if (st->mode == PageMode::kNested) {
      st->last_write = clock();
      return;
    }
    shadow_.write_trapped();
    nested_.to_nested(frame, *st, clock());
    ++to_nested_;
    // Shadow page-walk-cache entries may point into the subtree that just left shadow mode.
    shadow_.pwc().flush_all();
  }

  // True if a table page above this one (on its process's path) is nested.
  bool under_nested(const PageState& st) const {
    if (nested_.empty()) return false;
    const AddressSpace* as = machine_.guest().find_space(st.pid);
    return as && nested_.nested_at_or_above(as->table->walk(GuestVirtAddr(st.prefix)), st.level + 1);
  }

  // Back to shadow: the hypervisor write-protects the page again and syncs the shadow entries of
  // everything below it (mapped while it was nested), charged per table page.
  void to_shadow(uint64_t frame) {
    const PageState st = nested_.to_protected(frame);
    ++to_shadow_;
    const AddressSpace* as = machine_.guest().find_space(st.pid);
    if (!as) return;
    uint64_t pages = 0;
    for_each_in_guest_subtree(
        *as->table, frame, st.level, st.prefix,
        [&](GuestVirtAddr va) { hv_walk_refs_ += shadow_.tables().fill(*as, va, cache_).software_walk.refs; },
        [&](uint64_t f, int level, uint64_t prefix) {
          ++pages;
          nested_.protect(f, level, st.pid, prefix);
        });
    stats.charge_cycles(Account::kHypervisor, pages * page_cycles_);
  }

  // Walks the shadow table down to (not below) level s+1, costing what it fetches. Walk-cache
  // entries are kept only for shadow tables above the switch.
  WalkPath<HostPhysAddr> shadow_part(const ShadowTable& table, GuestVirtAddr va, int s, WalkCost& cost) {
    const int top = table.levels();
    WalkCache::Start start = shadow_.pwc().lookup(va.value, space().pcid, top, table.root_frame());
    if (start.level <= s) start = {top, table.root_frame()};
    if (start.level != top) cost.cycles += shadow_.pwc().hit_cycles();
    WalkPath<HostPhysAddr> path;
    if (s < top) path = table.walk_from(va, start.level, start.table_frame);
    for (int i = 0; i < path.count && path.steps[i].level > s; ++i) {
      const auto& step = path.steps[i];
      cost.cycles += cache_.access(step.entry_addr.value).cycles;
      ++cost.refs;
      if (step.level > 1 && i + 1 < path.count && step.level - 1 > s)
        shadow_.pwc().fill(va.value, space().pcid, step.level, path.table_frame_at[step.level - 1]);
    }
    return path;
  }

  // Complete: a translation (no switch), or the entry above the switch level present.
  static bool shadow_complete(const WalkPath<HostPhysAddr>& path, int s) {
    if (s == 0) return path.ok;
    if (path.count == 0) return true;  // switch at the root: no shadow part
    return path.steps[path.count - 1].level <= s;
  }

  NestedWalker host_;  // used for its host dimension and guest-dimension cache only
  ShadowPaging shadow_;
  AgilePageModes nested_;  // the guest table pages' modes
  uint64_t quiet_ = 0, page_cycles_ = 0, check_every_ = 1, next_check_ = 0;
  std::array<uint64_t, 6> walks_at_{};
  uint64_t hv_walk_refs_ = 0, to_nested_ = 0, to_shadow_ = 0;
};

}  // namespace

HVSIM_REGISTER_SCHEME(agile, "agile",
                      "Agile Paging: shadow walk switching to nested below changing guest tables", 4,
                      [](SchemeContext& ctx) { return std::make_unique<AgileScheme>(ctx); });

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(
    agile_details,
    {"moves_to_nested", "pages", "guest table pages moved to nested mode (written while shadowed)"},
    {"moves_to_shadow", "pages", "guest table pages moved back to shadow mode (quiet for a period)"},
    {"nested_pages", "pages", "guest table pages in nested mode at the end", DetailKind::kLevel},
    {"walks_switching_at_level_N", "walks",
     "walks that switched from shadow to nested at guest level N (0: all shadow)"},
    {"hypervisor_walk_refs", "references", "entries the hypervisor's software walks fetched (hidden faults)"},
    {"shadow_table_pages", "pages", "shadow table pages at the end", DetailKind::kLevel});

}  // namespace hvsim
