#include "hv/large_host_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "common/units.h"
#include "paging/entry_format.h"

namespace hvsim {

LargeHostLayout LargeHostLayout::make(int levels, unsigned leaf_shift, unsigned address_bits,
                                      const char* what) {
  if (levels < 1 || levels > kMaxLevels)
    throw InputError(fmt::format("{}: {} host levels; expected 1 to {}", what, levels, kMaxLevels));
  if (leaf_shift < 12 || leaf_shift >= address_bits)
    throw InputError(
        fmt::format("{}: leaf of {} does not fit a {}-bit guest-physical space; expected 4KiB to {}", what,
                    format_size(uint64_t{1} << leaf_shift), address_bits,
                    format_size(uint64_t{1} << (address_bits - 1))));
  LargeHostLayout l;
  l.levels = levels;
  l.leaf_shift = leaf_shift;
  l.address_bits = address_bits;
  unsigned total = address_bits - leaf_shift;
  if (total < static_cast<unsigned>(levels))
    throw InputError(
        fmt::format("{}: {} levels need at least {} guest-physical bits above the {} leaf; there are {}",
                    what, levels, levels, format_size(uint64_t{1} << leaf_shift), total));
  unsigned shift = leaf_shift;
  for (int lv = 1; lv <= levels; ++lv) {
    // Levels 1..levels-r get floor(total/levels) bits, the top r levels one more.
    unsigned b = total / levels + (lv > levels - static_cast<int>(total % levels) ? 1 : 0);
    if (b > kMaxBitsPerLevel)
      throw InputError(
          fmt::format("{}: level {} would index {} bits ({} tables); at most {} bits per level: use more "
                      "levels or larger leaves",
                      what, lv, b, format_size(uint64_t{8} << b), kMaxBitsPerLevel));
    l.shift[lv] = shift;
    l.bits[lv] = b;
    shift += b;
  }
  return l;
}

namespace {
int order_for(uint64_t bytes) {
  int order = 0;
  while ((uint64_t{4096} << order) < bytes) ++order;
  return order;
}
PageSize largest_page_within(unsigned shift) {
  if (shift >= page_shift(PageSize::k1G)) return PageSize::k1G;
  if (shift >= page_shift(PageSize::k2M)) return PageSize::k2M;
  return PageSize::k4K;
}
}  // namespace

LargeHostTable::LargeHostTable(Hypervisor& hv, const LargeHostLayout& layout, PageSize backing,
                               uint64_t pool_bytes)
    : ept_(hv.ept()),
      layout_(layout),
      tlb_size_(largest_page_within(std::min(layout.leaf_shift, page_shift(backing)))),
      exact_(layout.leaf_shift <= page_shift(backing)),
      pool_(hv.make_pool(std::max(pool_bytes, layout.table_bytes(layout.levels)))) {
  root_ = allocate_table(layout_.levels);
}

uint64_t LargeHostTable::allocate_table(int level) {
  int order = order_for(layout_.table_bytes(level));
  auto f = order <= kPoolChunkOrder ? pool_.allocate_block(order) : std::nullopt;
  if (!f) throw SimulationError("the tdp-large host table pool is exhausted; raise host.memory");
  ++tables_;
  table_frames_ += uint64_t{1} << order;
  return *f;
}

// Entries live in 4 KiB pages of the pool's sparse memory; untouched pages read as zero.
uint64_t LargeHostTable::read(uint64_t table_frame, uint64_t index) const {
  const TablePage* page = pool_.memory->page(table_frame + (index >> 9));
  return page ? page->get(index & 511) : 0;
}

void LargeHostTable::write(uint64_t table_frame, uint64_t index, uint64_t entry) {
  uint64_t frame = table_frame + (index >> 9);
  TablePage* page = pool_.memory->page(frame);
  if (!page) page = pool_.memory->create(frame);
  pool_.memory->write(*page, index & 511, entry);
}

LargeHostTable::Path LargeHostTable::walk_from(GuestPhysAddr gpa, int level, uint64_t table_frame) {
  Path path;
  uint64_t frame = table_frame;
  for (int lv = level; lv >= 1; --lv) {
    uint64_t index = (gpa.value >> layout_.shift[lv]) & ((uint64_t{1} << layout_.bits[lv]) - 1);
    path.table_at[lv] = frame;
    path.steps[path.count++] = {HostPhysAddr((frame << 12) + index * 8), lv};
    uint64_t e = read(frame, index);
    if (lv > 1) {
      if (!EptEntry::present(e)) {
        e = EptEntry::make_table(allocate_table(lv - 1) << 12);
        write(frame, index, e);
      }
      frame = (e & kEntryAddrMask) >> 12;
      continue;
    }
    auto h = ept_.translate(gpa);
    if (!h) return path;  // not backed yet: the walk faults, nothing is filled
    if (!EptEntry::present(e)) {
      uint64_t base = exact_ ? h->addr.align_down(layout_.leaf_shift).value : 0;
      e = EptEntry::make_leaf(base, PageSize::k4K, true);
      write(frame, index, e);
      ++leaves_filled_;
    }
    path.ok = true;
    path.size = tlb_size_;
    path.result = exact_ ? HostPhysAddr((e & kEntryAddrMask) | gpa.offset_in(layout_.leaf_shift)) : h->addr;
    return path;
  }
  return path;
}

}  // namespace hvsim
