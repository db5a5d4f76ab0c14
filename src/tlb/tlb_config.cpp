#include "tlb/tlb_config.h"

#include <fmt/format.h>

#include "common/config_registry.h"
#include "common/set_assoc_geometry.h"

namespace hvsim {
namespace {

constexpr uint32_t kMaxEntries = 1u << 30;
const char* const kSizeNames[] = {"4k", "2m", "1g"};

// Each TLB with the keys that size it, as validation and the memory budget name them.
template <class Fn>
void each_tlb(const TlbConfig& c, Fn fn) {
  for (int i = 0; i < kPageSizeCount; ++i)
    fn(fmt::format("tlb.l1_{}_entries", kSizeNames[i]), fmt::format("tlb.l1_{}_ways", kSizeNames[i]),
       c.l1[i]);
  fn("tlb.l2_entries", "tlb.l2_ways", c.l2);
  fn("tlb.l2_1g_entries", "tlb.l2_1g_ways", c.l2_1g);
}

}  // namespace

HVSIM_CONFIG_SECTION(TlbConfig, "tlb", 20, "data TLBs: an L1 DTLB per page size and the second-level TLB") {
  for (int i = 0; i < kPageSizeCount; ++i) {
    const std::string size(page_size_name(static_cast<PageSize>(i)));
    s.integer(
         fmt::format("l1_{}_entries", kSizeNames[i]), [i](TlbConfig & c) -> auto& { return c.l1[i].entries; },
         0, kMaxEntries)
        .unit("entries")
        .doc(fmt::format("L1 DTLB entries for {} pages (0 = none)", size));
    s.integer(
         fmt::format("l1_{}_ways", kSizeNames[i]), [i](TlbConfig & c) -> auto& { return c.l1[i].ways; }, 0,
         kMaxEntries)
        .unit("ways")
        .doc("L1 DTLB associativity (= entries: fully associative)");
  }
  s.integer(
       "l2_entries", [](TlbConfig & c) -> auto& { return c.l2.entries; }, 0, kMaxEntries)
      .unit("entries")
      .doc("second-level TLB entries (4K and 2M pages)");
  s.integer(
       "l2_ways", [](TlbConfig & c) -> auto& { return c.l2.ways; }, 0, kMaxEntries)
      .unit("ways")
      .doc("second-level TLB associativity");
  s.integer(
       "l2_1g_entries", [](TlbConfig & c) -> auto& { return c.l2_1g.entries; }, 0, kMaxEntries)
      .unit("entries")
      .doc("second-level TLB entries for 1G pages");
  s.integer(
       "l2_1g_ways", [](TlbConfig & c) -> auto& { return c.l2_1g.ways; }, 0, kMaxEntries)
      .unit("ways")
      .doc("associativity of the 1G second-level TLB");
  s.integer("l2_hit_cycles", &TlbConfig::l2_hit_cycles, 0, kMaxEntries)
      .unit("cycles")
      .doc("cycles of an L1 miss that hits the second-level TLB");
  s.check([](const TlbConfig& c) {
    each_tlb(c, [](const std::string& e, const std::string& w, const TlbLevelConfig& l) {
      check_whole_sets(e, l.entries, w, l.ways);
    });
  });
  s.structures([](const TlbConfig& c, StructureSizes& out) {
    each_tlb(c, [&out](const std::string& e, const std::string&, const TlbLevelConfig& l) {
      add_set_assoc_bytes(out, e, l.entries, l.ways);
    });
  });
}

HVSIM_CONFIG_SECTION(NestedTlbConfig, "nested_tlb", 40, "the nested TLB of two-dimensional walks") {
  s.integer("entries", &NestedTlbConfig::entries, 0, kMaxEntries)
      .unit("entries")
      .doc("nested TLB entries caching gPA->hPA in 2D walks (0 = none)");
  s.integer("ways", &NestedTlbConfig::ways, 1, kMaxEntries).unit("ways").doc("nested TLB associativity");
  s.check([](const NestedTlbConfig& c) {
    check_whole_sets("nested_tlb.entries", c.entries, "nested_tlb.ways", c.ways);
  });
  s.structures([](const NestedTlbConfig& c, StructureSizes& out) {
    add_set_assoc_bytes(out, "nested_tlb.entries", c.entries, c.ways);
  });
}

}  // namespace hvsim
