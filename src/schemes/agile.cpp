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
// Keys: [agile] below (`hvsim profile keys`).
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "common/flat_map.h"
#include "hv/guest_leaves.h"
#include "hv/guest_walk_2d.h"
#include "hv/nested_walker.h"
#include "hv/shadow_tables.h"
#include "schemes/scheme_details.h"
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

enum class PageMode : uint8_t { kProtected, kNested };

struct PageState {
  PageMode mode = PageMode::kProtected;
  uint8_t level = 1;    // of the guest table page
  uint32_t pid = 0;     // whose table it is
  uint64_t prefix = 0;  // first guest-virtual address it translates
  uint64_t last_write = 0;
};

uint64_t prefix_at(uint64_t va, int level) { return va & ~((uint64_t{1} << (12 + 9 * level)) - 1); }

class AgileScheme final : public TlbScheme<AgileScheme> {
 public:
  explicit AgileScheme(SchemeContext& ctx)
      : TlbScheme(ctx),
        spwc_(ctx.profile.section<PwcConfig>()),
        gpwc_(ctx.profile.section<PwcConfig>()),
        hpwc_(ctx.profile.section<HostPwcConfig>()),
        ntlb_(ctx.profile.section<NestedTlbConfig>()),
        host_(ctx.machine.hypervisor().ept(), ctx.profile.section<HostConfig>().page_size, gpwc_, hpwc_,
              ntlb_, cache_),
        shadow_(ctx.machine.hypervisor(), ctx.machine.pool_bytes(),
                ctx.profile.section<PagingConfig>().guest_levels) {
    quiet_ = ctx.profile.section<AgileConfig>().quiet_period;
    page_cycles_ = ctx.profile.section<AgileConfig>().page_cycles;
    check_every_ = std::max<uint64_t>(1, quiet_ / 4);
    next_check_ = check_every_;
  }

  void on_guest_fault(const Event& ev, const EventEffect& e, EffectCursor& cursor) {
    tick();
    charge_guest_fault(e);
    auto writes = cursor.writes(e);
    auto gpath = space().table->walk(GuestVirtAddr(ev.addr));
    // The walk that faulted read the pages down to the first entry written; if one of them is
    // nested the fault reached the guest directly, else the shadow walk trapped it.
    int first = writes.empty() ? 1 : writes[0].level;
    if (nested_at_or_above(gpath, first)) {
      charge_ept_violations(e);
    } else {
      stats.exit(ExitReason::kGuestPageFault, Cost::kInterruptInjection);
      stats.charge(Account::kHypervisor, Cost::kEptViolation, e.host_pages_populated);
    }
    if (e.protection_fault) return;
    if (e.cow_fault) {  // the shadow entry of the old frame goes
      const uint64_t page = GuestVirtAddr(ev.addr).align_down(page_shift(e.guest_size)).value;
      shadow_.zap(ev.pid, page, page + page_bytes(e.guest_size));
    }
    for (const GuestPteWrite& w : writes)
      if (!nested_at_or_above(gpath, w.level + 1)) guest_write(w);  // else not protected
  }

  // OS events: guest table writes trap on protected pages (moving them to nested) and the
  // hypervisor intercepts TLB maintenance, as under shadow paging; shadow entries of unmapped
  // ranges and exited processes go, and so does the mode of freed guest table pages.
  void on_os_event(const Event& ev, const EventEffect* e, EffectCursor& cursor) {
    if (!e) return;
    tick();
    for (const GuestPteWrite& w : cursor.writes(*e)) {
      const PageState* st = states_.find(w.entry.number(12));
      if (st && !under_nested(*st)) guest_write(w);
    }
    for (GuestPhysAddr t : cursor.tables_freed(*e)) forget(t.number(12));
    if (uint64_t pages = shadow_.follow(ev, e ? e->unmapped : AddressRange{})) {  // shadow teardown
      PtAllocScope tables(stats);
      stats.charge(Account::kHypervisor, Cost::kPtPageFree, pages);
    }
    for (size_t i = 0; i < cursor.invalidations(*e).size(); ++i)
      stats.exit(ExitReason::kInvlpg, Cost::kInvlpg);
    if (e->flush_pcid && ev.kind != EventKind::kProcessExit && ev.kind != EventKind::kExec)
      stats.exit(ExitReason::kCr3Write, Cost::kCr3Write);
    charge_ept_violations(*e);
  }

  void flush_walk_caches(uint16_t pcid) {
    spwc_.flush_asid(pcid);
    gpwc_.flush_asid(pcid);
  }

  void on_switch(const AddressSpace& next) {
    // With a shadow root the hypervisor must load the matching shadow table.
    const PageState* st = states_.find(next.table->root_frame());
    if (!st || st->mode != PageMode::kNested) stats.exit(ExitReason::kCr3Write, Cost::kCr3Write);
  }

  bool walk(const Event& ev, uint64_t& page_base, PageSize& size) {
    tick();
    GuestVirtAddr va(ev.addr);
    const GuestPageTable& gt = *space().table;
    int s = 0;
    WalkPath<GuestPhysAddr> gpath;
    if (!nested_.empty()) {
      gpath = gt.walk(va);
      s = switch_level(gpath);
    }
    WalkCost cost;
    WalkPath<HostPhysAddr> path;
    // The guest page-walk cache holds entries of the nested part only (levels <= s): a hit
    // there resumes the nested walk below the switch and skips the shadow part.
    WalkCache::Start start{s, s ? gpath.table_frame_at[s] : 0};
    if (s) start = gpwc_.lookup(va.value, space().pcid, s, gpath.table_frame_at[s]);
    if (start.level != s) {
      cost.cycles += gpwc_.hit_cycles();
    } else {
      ShadowTable& table = shadow_.table_for(space());
      path = shadow_part(table, va, s, cost);
      if (!shadow_complete(path, s)) {
        ++stats.faulting_walks;
        stats.faulting_walk_refs += cost.refs;
        stats.walk_cycles += cost.cycles;
        auto fill = shadow_.fill(space(), va, cache_);
        stats.exit(ExitReason::kHiddenFault, Cost::kShadowFill, fill.software_walk.cycles);
        hv_walk_refs_ += fill.software_walk.refs;
        if (nested_.empty()) gpath = gt.walk(va);
        protect_path(gpath, s, va);
        if (!fill.ok) return false;
        cost = {};
        path = shadow_part(table, va, s, cost);
      }
    }
    ++walks_at_[s];
    if (s == 0) {
      stats.walk_cycles += cost.cycles;
      ++stats.walks;
      stats.walk_mem_refs += cost.refs;
      size = path.size;
      page_base = path.result.align_down(page_shift(size)).value;
      return true;
    }
    // The shadow entry above level s switches to the guest's own table page at level s.
    auto r = walk_guest_2d(gt, va, space().pcid, start.level, start.table_frame, &gpwc_, cache_,
                           [this](GuestPhysAddr gpa, HostPhysAddr& hpa, PageSize& hs, WalkCost& c) {
                             return host_.host_translate(gpa, hpa, hs, c);
                           });
    cost += r.cost;
    stats.walk_cycles += cost.cycles;
    if (!r.ok) {
      ++stats.faulting_walks;
      stats.faulting_walk_refs += cost.refs;
      return false;
    }
    ++stats.walks;
    stats.walk_mem_refs += cost.refs;
    size = r.size;
    page_base = r.hpa.align_down(page_shift(size)).value;
    return true;
  }

  HostPhysAddr host_address(uint64_t hpa) const { return HostPhysAddr(hpa); }

  void reset_stats() override {
    clock_base_ += stats.accesses;  // keeps the clock of write stamps monotonic
    Scheme::reset_stats();
    walks_at_ = {};
    hv_walk_refs_ = to_nested_ = to_shadow_ = 0;
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
  uint64_t clock() const { return clock_base_ + stats.accesses; }

  // Periodic check (the hypervisor's timer): nested pages quiet for a whole period go back.
  void tick() {
    if (clock() < next_check_) return;
    next_check_ = clock() + check_every_;
    for (size_t i = 0; i < nested_.size();) {
      PageState* st = states_.find(nested_[i]);
      if (clock() - st->last_write < quiet_) {
        ++i;
        continue;
      }
      uint64_t frame = nested_[i];
      nested_[i] = nested_.back();
      nested_.pop_back();
      to_shadow(frame);
    }
  }

  // A guest write to a table page not below a nested one: traps if the page is protected (and
  // moves it to nested); refreshes the quiet period of a nested page.
  void guest_write(const GuestPteWrite& w) {
    PageState* st = states_.find(w.entry.number(12));
    if (!st) return;  // no shadow entry derives from this page yet
    if (st->mode == PageMode::kNested) {
      st->last_write = clock();
      return;
    }
    stats.exit(ExitReason::kPteWrite, Cost::kShadowPteWrite);
    to_nested(w.entry.number(12), *st);
  }

  // True if a table page above this one (on its process's path) is nested.
  bool under_nested(const PageState& st) const {
    if (nested_.empty()) return false;
    const AddressSpace* as = machine_.guest().find_space(st.pid);
    return as && nested_at_or_above(as->table->walk(GuestVirtAddr(st.prefix)), st.level + 1);
  }

  // A guest table page was freed: it has no mode any more (its frame may be reused).
  void forget(uint64_t frame) {
    const PageState* st = states_.find(frame);
    if (!st) return;
    if (auto it = std::find(nested_.begin(), nested_.end(), frame); it != nested_.end()) nested_.erase(it);
    states_.erase(frame);
  }

  void sync_shadow(const AddressSpace& as, GuestVirtAddr va) {
    auto fill = shadow_.fill(as, va, cache_);
    hv_walk_refs_ += fill.software_walk.refs;
  }

  void to_nested(uint64_t frame, PageState& st) {
    st.mode = PageMode::kNested;
    st.last_write = clock();
    nested_.push_back(frame);
    ++to_nested_;
    // Shadow page-walk-cache entries may point into the subtree that just left shadow mode.
    spwc_.flush_all();
  }

  bool is_nested(uint64_t frame) const {
    const PageState* st = states_.find(frame);
    return st && st->mode == PageMode::kNested;
  }

  // The highest guest level whose table page on this path is nested; 0 if none.
  int switch_level(const WalkPath<GuestPhysAddr>& gpath) const {
    for (int i = 0; i < gpath.count; ++i) {
      int l = gpath.steps[i].level;
      if (is_nested(gpath.table_frame_at[l])) return l;
    }
    return 0;
  }

  bool nested_at_or_above(const WalkPath<GuestPhysAddr>& gpath, int level) const {
    if (nested_.empty()) return false;
    for (int i = 0; i < gpath.count && gpath.steps[i].level >= level; ++i)
      if (is_nested(gpath.table_frame_at[gpath.steps[i].level])) return true;
    return false;
  }

  // Shadow entries now derive from the guest pages above the switch level: write-protect them.
  void protect_path(const WalkPath<GuestPhysAddr>& gpath, int s, GuestVirtAddr va) {
    for (int i = 0; i < gpath.count && gpath.steps[i].level > s; ++i) {
      int level = gpath.steps[i].level;
      protect(gpath.table_frame_at[level], level, va.value);
    }
  }
  void protect(uint64_t frame, int level, uint64_t va) {
    if (states_.find(frame)) return;
    PageState st;
    st.level = static_cast<uint8_t>(level);
    st.pid = space().pid;
    st.prefix = prefix_at(va, level);
    states_.insert(frame, st);
  }

  // Back to shadow: the hypervisor write-protects the page again and syncs the shadow entries of
  // everything below it (mapped while it was nested), charged per table page.
  void to_shadow(uint64_t frame) {
    PageState& st = *states_.find(frame);
    st.mode = PageMode::kProtected;
    const PageState copy = st;  // `states_` may grow below
    ++to_shadow_;
    const AddressSpace* as = machine_.guest().find_space(copy.pid);
    if (!as) return;
    uint64_t pages = 0;
    for_each_in_guest_subtree(
        *as->table, frame, copy.level, copy.prefix, [&](GuestVirtAddr va) { sync_shadow(*as, va); },
        [&](uint64_t f, int level, uint64_t prefix) {
          ++pages;
          if (!states_.find(f)) {
            PageState child;
            child.level = static_cast<uint8_t>(level);
            child.pid = copy.pid;
            child.prefix = prefix;
            states_.insert(f, child);
          }
        });
    stats.charge_cycles(Account::kHypervisor, pages * page_cycles_);
  }

  // Walks the shadow table down to (not below) level s+1, costing what it fetches. Walk-cache
  // entries are kept only for shadow tables above the switch.
  WalkPath<HostPhysAddr> shadow_part(const ShadowTable& table, GuestVirtAddr va, int s, WalkCost& cost) {
    const int top = table.levels();
    WalkCache::Start start = spwc_.lookup(va.value, space().pcid, top, table.root_frame());
    if (start.level <= s) start = {top, table.root_frame()};
    if (start.level != top) cost.cycles += spwc_.hit_cycles();
    WalkPath<HostPhysAddr> path;
    if (s < top) path = table.walk_from(va, start.level, start.table_frame);
    for (int i = 0; i < path.count && path.steps[i].level > s; ++i) {
      const auto& step = path.steps[i];
      cost.cycles += cache_.access(step.entry_addr.value).cycles;
      ++cost.refs;
      if (step.level > 1 && i + 1 < path.count && step.level - 1 > s)
        spwc_.fill(va.value, space().pcid, step.level, path.table_frame_at[step.level - 1]);
    }
    return path;
  }

  // Complete: a translation (no switch), or the entry above the switch level present.
  static bool shadow_complete(const WalkPath<HostPhysAddr>& path, int s) {
    if (s == 0) return path.ok;
    if (path.count == 0) return true;  // switch at the root: no shadow part
    return path.steps[path.count - 1].level <= s;
  }

  WalkCache spwc_, gpwc_, hpwc_;
  NestedTlb ntlb_;
  NestedWalker host_;  // used for its host dimension only
  ShadowTables shadow_;
  uint64_t quiet_ = 0, page_cycles_ = 0, check_every_ = 1, next_check_ = 0, clock_base_ = 0;
  FlatU64Map<PageState> states_{12};  // guest table frame -> mode, for pages shadow entries use
  std::vector<uint64_t> nested_;      // frames in nested mode
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
