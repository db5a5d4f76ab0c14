// tdp-large: two-dimensional paging whose host dimension has fewer, larger paging structures
// (the SPT/TDP seed's "simplified TDP with enlarged paging structures"). The guest dimension is
// the guest's own radix table; the host dimension is a LargeHostTable of `levels` levels with
// leaves of `leaf` bytes, each level indexing as many guest-physical bits as it needs, so a walk
// with nothing cached fetches (g+1)(h+1)-1 entries with h = `levels`.
//
// Keys ([tdp-large] in a profile, or --set tdp-large.KEY=VALUE):
//   levels  host levels, 1..5 (default 2)
//   leaf    host leaf size, a power of two from 4KiB (default 1GiB)
#include <fmt/format.h>

#include <bit>

#include "common/error.h"
#include "common/units.h"
#include "hv/guest_walk_2d.h"
#include "hv/large_host_table.h"
#include "schemes/scheme_details.h"
#include "schemes/tlb_scheme.h"
#include "tlb/nested_tlb.h"

namespace hvsim {
namespace {

struct TdpLargeConfig {
  int levels = 2;
  uint64_t leaf = uint64_t{1} << 30;
};

uint64_t parse_leaf(const std::string& text, const ConfigKey& k) {
  const uint64_t leaf = parse_size(text, k.key());
  if (leaf < 4096 || !std::has_single_bit(leaf))
    throw InputError(fmt::format("{}: '{}' is not valid; expected a power of two from 4KiB", k.key(), text));
  return leaf;
}

HVSIM_CONFIG_SECTION(TdpLargeConfig, "tdp-large", 0, "simplified TDP with enlarged host paging structures") {
  s.integer("levels", &TdpLargeConfig::levels, 1, LargeHostLayout::kMaxLevels)
      .unit("levels")
      .doc("host levels of the enlarged table");
  s.custom<uint64_t>(
       "leaf", &TdpLargeConfig::leaf, "size", "power of two from 4KiB", parse_leaf,
       [](const uint64_t& v) { return ConfigValue(v); }, [](const uint64_t& v) { return size_text(v); })
      .unit("bytes")
      .doc("host leaf size");
}

LargeHostLayout layout_for(const Profile& p, const Machine& m) {
  const int levels = p.section<TdpLargeConfig>().levels;
  const uint64_t leaf = p.section<TdpLargeConfig>().leaf;
  unsigned leaf_shift = static_cast<unsigned>(std::countr_zero(leaf));
  // The tables cover the VM's guest-physical memory (at least one index bit per level).
  unsigned bits = static_cast<unsigned>(std::bit_width(m.guest().memory_bytes() - 1));
  bits = std::max(bits, leaf_shift + static_cast<unsigned>(levels));
  return LargeHostLayout::make(levels, leaf_shift, bits, "tdp-large");
}

class TdpLargeScheme final : public TlbScheme<TdpLargeScheme> {
 public:
  explicit TdpLargeScheme(SchemeContext& ctx)
      : TlbScheme(ctx),
        gpwc_(ctx.profile.section<PwcConfig>()),
        ntlb_(ctx.profile.section<NestedTlbConfig>()),
        host_(ctx.machine.hypervisor(), layout_for(ctx.profile, ctx.machine),
              ctx.profile.section<HostConfig>().page_size, ctx.machine.pool_bytes()) {
    // Host paging-structure caches: the profile's per-level sizes, by level of this table.
    for (int l = 2; l <= host_.layout().levels; ++l)
      hpwc_[l].configure(ctx.profile.section<HostPwcConfig>().entries[l],
                         ctx.profile.section<HostPwcConfig>().ways);
  }

  Translation<HostPhysAddr> walk(const Event& ev) {
    const GuestPageTable& gt = *space().table;
    WalkCache::Start start = gpwc_.lookup(ev.addr, space().pcid, gt.levels(), gt.root_frame());
    auto t = walk_guest_2d(gt, GuestVirtAddr(ev.addr), space().pcid, start.level, start.table_frame, &gpwc_,
                           cache_, guest_refs_,
                           [this](GuestPhysAddr gpa, HostPhysAddr& hpa, PageSize& hs, WalkCost& cost) {
                             return host_translate(gpa, hpa, hs, cost);
                           });
    if (start.level != gt.levels()) t.cost.cycles += gpwc_.hit_cycles();
    return t;
  }
  // As under nested: the guest handles its faults and table writes; new guest pages are backed
  // by the host on EPT violations.
  void on_guest_fault(const Event&, const Effect& fx) { charge_ept_violations(*fx); }
  void on_os_event(const Effect& fx) { charge_ept_violations(*fx); }
  void on_switch(const AddressSpace&) {}
  void flush_walk_caches(uint16_t pcid) { gpwc_.flush_asid(pcid); }

  void finish() override {
    const LargeHostLayout& l = host_.layout();
    stats.details["host_levels"] = l.levels;
    stats.details["host_leaf_bytes"] = static_cast<double>(uint64_t{1} << l.leaf_shift);
    stats.details["host_top_table_bytes"] = static_cast<double>(l.table_bytes(l.levels));
    stats.details["host_tables"] = static_cast<double>(host_.tables());
    stats.details["host_table_frames"] = static_cast<double>(host_.table_frames());
    stats.details["guest_dimension_refs"] = static_cast<double>(guest_refs_);
    stats.details["host_dimension_refs"] = static_cast<double>(host_refs_);
    stats.details["nested_tlb_hits"] = static_cast<double>(ntlb_hits_);
  }

 private:
  // gPA -> hPA through the nested TLB, else a walk of the large host table from the deepest
  // host paging-structure-cache hit.
  bool host_translate(GuestPhysAddr gpa, HostPhysAddr& hpa, PageSize& size, WalkCost& cost) {
    const LargeHostLayout& l = host_.layout();
    uint64_t page;
    // Every leaf of this table yields the same TLB size, so one probe suffices.
    const PageSize tlb_size = host_.tlb_size();
    if (ntlb_.lookup(gpa.value, tlb_size, page)) {
      ++ntlb_hits_;
      hpa = HostPhysAddr(page | gpa.offset_in(page_shift(tlb_size)));
      size = tlb_size;
      return true;
    }
    int level = l.levels;
    uint64_t frame = host_.root_frame();
    for (int c = 2; c <= l.levels; ++c) {
      if (uint64_t* f = hpwc_[c].lookup(gpa.value >> l.shift[c])) {
        level = c - 1;
        frame = *f;
        cost.cycles += profile_.section<HostPwcConfig>().hit_cycles;
        break;
      }
    }
    auto path = host_.walk_from(gpa, level, frame);
    for (int i = 0; i < path.count; ++i) {
      const auto& step = path.steps[i];
      cost.cycles += cache_.access(step.entry_addr.value).cycles;
      ++cost.refs;
      ++host_refs_;
      if (step.level > 1 && i + 1 < path.count)
        hpwc_[step.level].insert(gpa.value >> l.shift[step.level], path.table_at[step.level - 1]);
    }
    if (!path.ok) return false;
    hpa = path.result;
    size = path.size;
    ntlb_.fill(gpa.value, size, hpa.align_down(page_shift(size)).value);
    return true;
  }

  WalkCache gpwc_;
  NestedTlb ntlb_;
  LargeHostTable host_;
  std::array<SetAssoc<uint64_t>, LargeHostLayout::kMaxLevels + 1> hpwc_;
  uint64_t guest_refs_ = 0, host_refs_ = 0, ntlb_hits_ = 0;
};

}  // namespace

HVSIM_REGISTER_SCHEME(tdp_large, "tdp-large", "simplified TDP: a host dimension of fewer, larger levels", 5,
                      [](SchemeContext& ctx) { return std::make_unique<TdpLargeScheme>(ctx); });

// The figures in stats.details (docs/schemes.md).
HVSIM_SCHEME_DETAILS(
    tdp_large_details, {"host_levels", "levels", "levels of the larger-node host table", DetailKind::kLevel},
    {"host_leaf_bytes", "bytes", "bytes a host leaf maps", DetailKind::kLevel},
    {"host_top_table_bytes", "bytes", "bytes of the host table's top node", DetailKind::kLevel},
    {"host_tables", "tables", "host table nodes at the end", DetailKind::kLevel},
    {"host_table_frames", "frames", "host frames those nodes take at the end", DetailKind::kLevel},
    {"guest_dimension_refs", "references", "entries of guest tables the walks fetched"},
    {"host_dimension_refs", "references", "entries of host (EPT) tables the walks fetched"},
    {"nested_tlb_hits", "hits", "guest-physical to host-physical translations served by the nested TLB"});

}  // namespace hvsim
