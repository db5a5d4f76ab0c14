// An x86-64-style radix page table whose pages live in simulated physical memory (TableMemory).
// `In` is the address space translated from, `Out` the one translated to; the table's own pages
// are frames of `Out` (guest tables hold guest-physical frames, EPT and shadow tables host ones).
//
// The walk only says *which* entries a translation touches; what they cost is decided by the
// caller (page-walk caches, the cache hierarchy), so one walker serves every scheme.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include <string>

#include "common/error.h"
#include "common/flat_map.h"
#include "common/page_size.h"
#include "mem/table_memory.h"
#include "paging/entry_format.h"

namespace hvsim {

template <class Out>
struct WalkStep {
  Out entry_addr;  // physical address of the 8-byte entry read
  int level;       // 5..1
};

// Where a walk ended: the translated address (with the page offset) when it reached a leaf.
template <class Out>
struct WalkEnd {
  bool ok = false;  // false: a non-present entry ended the walk (a fault), or the caller stopped it
  PageSize size = PageSize::k4K;
  Out result{};
};

template <class Out>
struct WalkPath {
  std::array<WalkStep<Out>, 5> steps{};
  int count = 0;
  bool ok = false;  // false: a non-present entry ended the walk (a fault)
  Out result{};     // translated address, with the page offset
  PageSize size = PageSize::k4K;
  uint64_t table_frame_at[6] = {};  // table frame read at each level (for page-walk caches)
};

template <class Out>
struct MapEffect {
  int entries_written = 0;
  int tables_allocated = 0;
  std::array<WalkStep<Out>, 5> written{};  // the entries written, top-down
};

template <class In, class Out, class Fmt>
class RadixTable {
 public:
  RadixTable(TableMemory& mem, int levels, uint64_t root_frame)
      : mem_(&mem), levels_(levels), root_(root_frame) {
    if (!mem_->page(root_)) mem_->create(root_);
  }

  int levels() const { return levels_; }
  uint64_t root_frame() const { return root_; }
  Out root_addr() const { return Out(root_ << 12); }
  TableMemory& memory() const { return *mem_; }

  // Walks from the root.
  WalkPath<Out> walk(In va) const { return walk_from(va, levels_, root_); }

  // Walks starting at `level` whose table is in `table_frame` (a page-walk cache hit skips the
  // levels above).
  WalkPath<Out> walk_from(In va, int level, uint64_t table_frame) const {
    WalkPath<Out> path;
    const WalkEnd<Out> end = walk_visit(va, level, table_frame, [&](Out entry_addr, int l, uint64_t frame) {
      path.table_frame_at[l] = frame;
      path.steps[path.count++] = {entry_addr, l};
      return true;
    });
    path.ok = end.ok;
    path.result = end.result;
    path.size = end.size;
    return path;
  }

  // The same walk with no path kept: on_step(entry_addr, level, table_frame) for each entry, in
  // order, before it is read; returning false stops the walk there (the result is then a fault).
  // The hot walkers cost each entry as it comes, with nothing stored per step.
  template <class OnStep>
  WalkEnd<Out> walk_visit(In va, int level, uint64_t table_frame, OnStep&& on_step) const {
    uint64_t frame = table_frame;
    for (int l = level; l >= 1; --l) {
      const TablePage* page = mem_->page(frame);
      if (!page) throw_stale_frame(frame);
      const unsigned idx = table_index(va.value, l);
      if (!on_step(Out((frame << 12) + idx * 8), l, frame)) return {};
      const uint64_t e = page->get(idx);
      if (!Fmt::present(e)) return {};
      if (l == 1 || Fmt::large(e)) {
        const PageSize size = page_size_at_level(l);
        return {true, size,
                Out((e & kEntryAddrMask & ~(page_bytes(size) - 1)) | va.offset_in(page_shift(size)))};
      }
      frame = (e & kEntryAddrMask) >> 12;
    }
    return {};
  }

  struct Translation {
    Out addr;
    PageSize size;
    bool writable;
  };
  // Functional lookup, no cost: what this table maps `va` to.
  std::optional<Translation> translate(In va) const {
    if (const LeafTable* leaf_table = leaf_tables_.find(va.value >> kRegionShift)) {
      uint64_t e = leaf_table->page->get(table_index(va.value, 1));
      if (!Fmt::present(e)) return std::nullopt;
      return Translation{Out((e & kEntryAddrMask) | va.offset_in(12)), PageSize::k4K, Fmt::writable(e)};
    }
    uint64_t frame = root_;
    for (int l = levels_; l >= 1; --l) {
      uint64_t e = mem_->page(frame)->get(table_index(va.value, l));
      if (!Fmt::present(e)) return std::nullopt;
      if (l == 1 || Fmt::large(e)) {
        PageSize size = page_size_at_level(l);
        return Translation{
            Out((e & kEntryAddrMask & ~(page_bytes(size) - 1)) | va.offset_in(page_shift(size))), size,
            Fmt::writable(e)};
      }
      frame = (e & kEntryAddrMask) >> 12;
    }
    return std::nullopt;
  }

  // Maps the page of `size` containing `va` to the page at `pa`. `alloc_table()` returns a free
  // frame of `Out` for each missing table page. Overwrites an existing leaf of the same size.
  template <class AllocTable>
  MapEffect<Out> map(In va, Out pa, PageSize size, bool writable, AllocTable&& alloc_table) {
    MapEffect<Out> fx;
    const int leaf = leaf_level(size);
    const uint64_t region = va.value >> kRegionShift;
    auto write = [&](TablePage* page, uint64_t frame, int level, uint64_t entry) {
      const unsigned idx = table_index(va.value, level);
      mem_->write(*page, idx, entry);
      fx.written[fx.entries_written++] = {Out((frame << 12) + idx * 8), level};
    };
    const uint64_t leaf_entry = Fmt::make_leaf(pa.value, size, writable);
    if (leaf == 1) {
      // A 4 KiB page in a region whose leaf table exists: every level above is present.
      if (const LeafTable* lt = leaf_tables_.find(region)) {
        write(lt->page, lt->frame, 1, leaf_entry);
        return fx;
      }
    }
    uint64_t frame = root_;
    TablePage* page = mem_->page(frame);
    for (int l = levels_; l > leaf; --l) {
      uint64_t e = page->get(table_index(va.value, l));
      if (!Fmt::present(e)) {
        const uint64_t child = alloc_table();
        TablePage* child_page = mem_->create(child);
        write(page, frame, l, Fmt::make_table(child << 12));
        ++fx.tables_allocated;
        frame = child;
        page = child_page;
        continue;
      }
      if (Fmt::large(e)) return fx;  // already covered by a larger page: nothing to do
      frame = (e & kEntryAddrMask) >> 12;
      page = mem_->page(frame);
    }
    write(page, frame, leaf, leaf_entry);
    if (leaf == 1) {
      leaf_tables_.insert(region, LeafTable{page, frame});
    } else if (leaf_tables_.size()) {
      // A large leaf replaces whatever table covered its span.
      const uint64_t first = va.align_down(page_shift(size)).value >> kRegionShift;
      for (uint64_t r = 0; r < (page_bytes(size) >> kRegionShift); ++r) leaf_tables_.erase(first + r);
    }
    return fx;
  }

  // Clears the leaf entry covering `va`; returns what was mapped. Table pages are kept (Linux
  // frees them only on larger unmaps; see free_empty_tables).
  std::optional<Translation> unmap(In va) {
    uint64_t frame = root_;
    for (int l = levels_; l >= 1; --l) {
      TablePage* page = mem_->page(frame);
      const unsigned idx = table_index(va.value, l);
      const uint64_t e = page->get(idx);
      if (!Fmt::present(e)) return std::nullopt;
      if (l == 1 || Fmt::large(e)) {
        PageSize size = page_size_at_level(l);
        Translation t{Out(e & kEntryAddrMask & ~(page_bytes(size) - 1)), size, Fmt::writable(e)};
        mem_->write(*page, idx, 0);
        return t;
      }
      frame = (e & kEntryAddrMask) >> 12;
    }
    return std::nullopt;
  }

  // Sets or clears the write bit of the leaf covering `va`; false if unmapped.
  bool set_writable(In va, bool writable) {
    uint64_t frame = root_;
    for (int l = levels_; l >= 1; --l) {
      TablePage* page = mem_->page(frame);
      const unsigned idx = table_index(va.value, l);
      const uint64_t e = page->get(idx);
      if (!Fmt::present(e)) return false;
      if (l == 1 || Fmt::large(e)) {
        mem_->write(*page, idx, Fmt::with_write(e, writable));
        return true;
      }
      frame = (e & kEntryAddrMask) >> 12;
    }
    return false;
  }

  // The largest page size up to `want` whose leaf for `va` would not replace a table page: a
  // 2 MiB leaf cannot go where 4 KiB pages of the same range already have their table.
  PageSize fitting_size(In va, PageSize want) const {
    uint64_t frame = root_;
    for (int l = levels_; l > 1; --l) {
      uint64_t e = mem_->page(frame)->get(table_index(va.value, l));
      if (!Fmt::present(e) || Fmt::large(e)) return want;
      if (l <= leaf_level(want)) want = page_size_at_level(l - 1);
      frame = (e & kEntryAddrMask) >> 12;
    }
    return want;
  }

  // True if any leaf is present in [start, end).
  bool any_leaf(uint64_t start, uint64_t end) const {
    return start < end && any_leaf_below(root_, levels_, 0, start, end);
  }

  // Bytes of address space one entry at `level` spans.
  static constexpr uint64_t span_of(int level) { return uint64_t{1} << (12 + 9 * (level - 1)); }
  uint64_t address_space_end() const { return span_of(levels_ + 1); }

  // Calls f(va, entry, level, entry_addr) for every present leaf overlapping [start, end);
  // `entry` is a reference the visitor may change.
  template <class F>
  void for_each_leaf(uint64_t start, uint64_t end, F&& f) {
    leaves(root_, levels_, 0, start, end, f);
  }

  // After leaves were cleared: frees every table page (not the root) that is now empty and whose
  // whole span lies inside [start, end), clearing its parent entry. Calls on_free(frame, level)
  // for each freed page and on_clear(entry_addr, level) for each parent entry cleared.
  template <class OnFree, class OnClear>
  void prune(uint64_t start, uint64_t end, OnFree&& on_free, OnClear&& on_clear) {
    leaf_tables_.clear();  // table pages may go away
    prune_below(root_, levels_, 0, start, end, on_free, on_clear);
  }

  // Visits every table page below the root (not the root), deepest first, calling
  // f(frame, level); used to free a whole address space.
  template <class F>
  void for_each_table(F&& f) const {
    visit(root_, levels_, f);
  }

 private:
  template <class F>
  void visit(uint64_t frame, int level, F& f) const {
    if (level > 1) {
      const TablePage* page = mem_->page(frame);
      for (unsigned i = page->next_present(0); i < TablePage::kEntries; i = page->next_present(i + 1)) {
        uint64_t e = page->get(i);
        if (Fmt::present(e) && !Fmt::large(e)) {
          uint64_t child = (e & kEntryAddrMask) >> 12;
          visit(child, level - 1, f);
          f(child, level - 1);
        }
      }
    }
  }

  [[noreturn]] static void throw_stale_frame(uint64_t frame);

  bool any_leaf_below(uint64_t frame, int level, uint64_t base, uint64_t start, uint64_t end) const {
    const TablePage* page = mem_->page(frame);
    const uint64_t span = span_of(level);
    unsigned first = base >= start ? 0 : static_cast<unsigned>((start - base) / span);
    for (unsigned i = page->next_present(first); i < TablePage::kEntries; i = page->next_present(i + 1)) {
      uint64_t va = base + i * span;
      if (va >= end) break;
      uint64_t e = page->get(i);
      if (!Fmt::present(e)) continue;
      if (level == 1 || Fmt::large(e) ||
          any_leaf_below((e & kEntryAddrMask) >> 12, level - 1, va, start, end))
        return true;
    }
    return false;
  }

  template <class F>
  void leaves(uint64_t frame, int level, uint64_t base, uint64_t start, uint64_t end, F& f) {
    TablePage* page = mem_->page(frame);
    const uint64_t span = span_of(level);
    unsigned first = base >= start ? 0 : static_cast<unsigned>((start - base) / span);
    for (unsigned i = page->next_present(first); i < TablePage::kEntries; i = page->next_present(i + 1)) {
      uint64_t va = base + i * span;
      if (va >= end) break;
      uint64_t e = page->get(i);
      if (!Fmt::present(e)) continue;
      if (level == 1 || Fmt::large(e)) {
        const uint64_t before = e;
        f(va, e, level, Out((frame << 12) + i * 8));
        if (e != before) mem_->write(*page, i, e);
      } else {
        leaves((e & kEntryAddrMask) >> 12, level - 1, va, start, end, f);
      }
    }
  }

  // Returns true if the table in `frame` is empty afterwards.
  template <class OnFree, class OnClear>
  bool prune_below(uint64_t frame, int level, uint64_t base, uint64_t start, uint64_t end, OnFree& on_free,
                   OnClear& on_clear) {
    TablePage* page = mem_->page(frame);
    const uint64_t span = span_of(level);
    bool empty = true;
    for (unsigned i = page->next_present(0); i < TablePage::kEntries; i = page->next_present(i + 1)) {
      uint64_t va = base + i * span;
      const uint64_t e = page->get(i);
      if (!Fmt::present(e)) continue;
      if (level > 1 && !Fmt::large(e) && va < end && va + span > start) {
        uint64_t child = (e & kEntryAddrMask) >> 12;
        bool inside = va >= start && va + span <= end;
        if (prune_below(child, level - 1, va, start, end, on_free, on_clear) && inside) {
          mem_->write(*page, i, 0);
          on_clear(Out((frame << 12) + i * 8), level);
          mem_->release(child);
          on_free(child, level - 1);
          continue;
        }
      }
      empty = false;
    }
    return empty;
  }

  // Not part of the model: the leaf table of every 2 MiB region mapped with 4 KiB pages, so that
  // the functional lookup (translate, used on every access to decide demand faults) and the
  // next 4 KiB map() there take one hash lookup instead of one per level. Filled by map(),
  // dropped when tables are pruned; a table's pages are otherwise only freed with the table.
  static constexpr unsigned kRegionShift = 21;
  struct LeafTable {
    TablePage* page;
    uint64_t frame;
  };
  FlatU64Map<LeafTable> leaf_tables_{6};

  TableMemory* mem_;
  int levels_;
  uint64_t root_;
};

template <class In, class Out, class Fmt>
void RadixTable<In, Out, Fmt>::throw_stale_frame(uint64_t frame) {
  throw SimulationError("internal: a page walk reached frame " + std::to_string(frame) +
                        ", which holds no page table (a stale page-walk cache or table entry)");
}

}  // namespace hvsim
