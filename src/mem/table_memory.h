// Sparse simulated physical memory: only page-table pages have contents, and a table page holds
// only the entries that exist (TablePage). Memory use grows with the number of entries, never
// with the size of the data a workload touches nor with 4 KiB per table page.
#pragma once
#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/flat_map.h"
#include "common/huge_page_allocator.h"
#include "common/memory_budget.h"
#include "mem/table_page.h"

namespace hvsim {

class TableMemory {
 public:
  static constexpr int kEntries = TablePage::kEntries;

  TableMemory() = default;
  TableMemory(const TableMemory&) = delete;
  TableMemory& operator=(const TableMemory&) = delete;
  ~TableMemory();

  // The table page in `frame`, or nullptr if that frame holds no table page.
  TablePage* page(uint64_t frame) {
    TablePage** p = index_.find(frame);
    return p ? *p : nullptr;
  }
  const TablePage* page(uint64_t frame) const { return const_cast<TableMemory*>(this)->page(frame); }

  // Makes `frame` an empty table page.
  TablePage* create(uint64_t frame);
  // Frees the table page in `frame` (nothing if it holds none).
  void release(uint64_t frame);

  // Sets entry `i` of `page` (0 makes it not present).
  void write(TablePage& page, unsigned i, uint64_t entry) {
    const uint64_t bit = uint64_t{1} << (i & 63);
    uint64_t& word = page.bits_[i >> 6];
    if (page.dense_) {
      page.dense_[i] = entry;
      if (entry && !(word & bit)) {
        word |= bit;
        ++page.count_;
      } else if (!entry && (word & bit)) {
        word &= ~bit;
        --page.count_;
      }
      return;
    }
    if (word & bit) {
      if (entry) {
        page.values_[page.rank(i)] = entry;
      } else {
        erase_sparse(page, i);
      }
    } else if (entry) {
      insert_sparse(page, i, entry);
    }
  }

  size_t pages() const { return index_.size(); }
  size_t dense_pages() const { return dense_pages_; }
  size_t memory_bytes() const { return charge_.bytes(); }

 private:
  using DensePage = uint64_t[kEntries];
  static constexpr size_t kDenseBlockPages = kHugePageBytes / sizeof(DensePage);
  static constexpr size_t kPageBlock = 4096;  // TablePage records per allocation
  // A record's share of the index (up to 64 bytes at the map's worst load) and free list.
  static constexpr uint64_t kRecordBytes = sizeof(TablePage) + 64 + sizeof(TablePage*);

  void insert_sparse(TablePage& page, unsigned i, uint64_t entry);
  static unsigned size_class(unsigned capacity);
  uint64_t* take_values(unsigned capacity);
  void give_values(uint64_t* values, unsigned capacity);
  void erase_sparse(TablePage& page, unsigned i);
  void make_dense(TablePage& page);
  uint64_t* take_dense();
  void free_values(TablePage& page);

  struct DenseBlockFree {
    void operator()(DensePage* p) const { huge_page_free(p, kDenseBlockPages * sizeof(DensePage)); }
  };
  FlatU64Map<TablePage*> index_{12};
  std::vector<std::unique_ptr<TablePage[]>> records_;
  size_t used_in_records_ = kPageBlock;
  std::vector<TablePage*> free_records_;
  std::vector<std::unique_ptr<DensePage, DenseBlockFree>> dense_blocks_;
  size_t used_in_dense_block_ = kDenseBlockPages;
  std::vector<uint64_t*> free_dense_;
  size_t dense_pages_ = 0;
  // Packed values come from slabs, each charged to the budget whole (a charge reads the
  // process's resident memory: too slow for every page that grows).
  static constexpr size_t kValueSlab = (size_t{1} << 20) / sizeof(uint64_t);
  std::vector<std::unique_ptr<uint64_t[]>> value_slabs_;
  size_t slab_left_ = 0;
  std::vector<uint64_t*> free_values_[5];  // capacities 4, 8, 16, 32, 64 (kSparseMax)
  static_assert(TablePage::kSparseMax == 4u << 4, "one free list per capacity 4..kSparseMax");
  BudgetCharge<MemoryUse::kPageTables> charge_;
};

}  // namespace hvsim
