// Sparse simulated physical memory: only page-table pages have contents. Memory use grows with the
// number of table pages, never with the size of the data a workload touches.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/flat_map.h"
#include "common/huge_page_allocator.h"
#include "common/memory_budget.h"

namespace hvsim {

class TableMemory {
 public:
  static constexpr int kEntries = 512;
  using Page = std::array<uint64_t, kEntries>;

  // Contents of the table page in `frame`, or nullptr if that frame holds no table page.
  uint64_t* page(uint64_t frame) {
    Page** p = index_.find(frame);
    return p ? (*p)->data() : nullptr;
  }
  const uint64_t* page(uint64_t frame) const { return const_cast<TableMemory*>(this)->page(frame); }

  // Makes `frame` a zeroed table page.
  uint64_t* create(uint64_t frame) {
    Page* p;
    if (!free_.empty()) {
      p = free_.back();
      free_.pop_back();
    } else {
      if (blocks_.empty() || used_in_block_ == kBlockPages) {
        charge_.add(kBlockBudget);  // before allocating: a run out of budget stops here
        blocks_.emplace_back(static_cast<Page*>(huge_page_alloc(kBlockPages * sizeof(Page))));
        used_in_block_ = 0;
      }
      p = &blocks_.back().get()[used_in_block_++];
    }
    p->fill(0);
    index_.insert(frame, p);
    return p->data();
  }

  void release(uint64_t frame) {
    Page** p = index_.find(frame);
    if (!p) return;
    free_.push_back(*p);
    index_.erase(frame);
  }

  size_t pages() const { return index_.size(); }
  size_t memory_bytes() const {
    return blocks_.size() * kBlockPages * sizeof(Page) + index_.memory_bytes() +
           free_.capacity() * sizeof(Page*);
  }

 private:
  // One block is one 2 MiB host huge page of table pages.
  static constexpr size_t kBlockPages = kHugePageBytes / sizeof(Page);
  // A block and its pages' share of the index (up to 64 bytes a page at the map's worst load)
  // and of the free list.
  static constexpr uint64_t kBlockBudget = kBlockPages * (sizeof(Page) + 64 + sizeof(Page*));
  struct BlockFree {
    void operator()(Page* p) const { huge_page_free(p, kBlockPages * sizeof(Page)); }
  };
  FlatU64Map<Page*> index_{12};
  std::vector<std::unique_ptr<Page, BlockFree>> blocks_;
  size_t used_in_block_ = 0;
  std::vector<Page*> free_;
  BudgetCharge<MemoryUse::kPageTables> charge_;
};

}  // namespace hvsim
