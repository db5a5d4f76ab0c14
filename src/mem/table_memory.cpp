#include "mem/table_memory.h"

#include <algorithm>
#include <cstring>

namespace hvsim {

TableMemory::~TableMemory() = default;

TablePage* TableMemory::create(uint64_t frame) {
  if (TablePage* existing = page(frame)) {
    free_values(*existing);
    *existing = TablePage{};
    return existing;
  }
  TablePage* p;
  if (!free_records_.empty()) {
    p = free_records_.back();
    free_records_.pop_back();
  } else {
    if (used_in_records_ == kPageBlock) {
      charge_.add(kPageBlock * kRecordBytes);  // before allocating: a run out of budget stops here
      records_.emplace_back(new TablePage[kPageBlock]);
      used_in_records_ = 0;
    }
    p = &records_.back()[used_in_records_++];
  }
  // Empty already: records are made empty and release() empties those it frees.
  index_.insert(frame, p);
  return p;
}

void TableMemory::release(uint64_t frame) {
  TablePage** found = index_.find(frame);
  if (!found) return;
  TablePage* p = *found;
  free_values(*p);
  *p = TablePage{};
  free_records_.push_back(p);
  index_.erase(frame);
}

void TableMemory::free_values(TablePage& p) {
  if (p.dense_) {
    free_dense_.push_back(p.dense_);
    --dense_pages_;
  }
  if (p.values_) give_values(p.values_, p.capacity_);
  p.dense_ = p.values_ = nullptr;
  p.capacity_ = 0;
}

void TableMemory::insert_sparse(TablePage& p, unsigned i, uint64_t entry) {
  if (p.count_ == TablePage::kSparseMax) {
    make_dense(p);
    write(p, i, entry);
    return;
  }
  const unsigned at = p.rank(i);
  if (p.count_ == p.capacity_) {
    const uint16_t grown = static_cast<uint16_t>(p.capacity_ ? p.capacity_ * 2 : 4);
    uint64_t* values = take_values(grown);
    std::copy_n(p.values_, at, values);
    std::copy_n(p.values_ + at, p.count_ - at, values + at + 1);
    if (p.values_) give_values(p.values_, p.capacity_);
    p.values_ = values;
    p.capacity_ = grown;
  } else {
    std::copy_backward(p.values_ + at, p.values_ + p.count_, p.values_ + p.count_ + 1);
  }
  p.values_[at] = entry;
  p.bits_[i >> 6] |= uint64_t{1} << (i & 63);
  ++p.count_;
}

// Value arrays of 4, 8, ... kSparseMax entries, carved from 1 MiB slabs and kept on one free
// list per size: pages grow one entry at a time, and malloc would see every step.
unsigned TableMemory::size_class(unsigned capacity) {
  // 4 -> 0, 8 -> 1, ..., kSparseMax -> 4 (the bound only tells the compiler so).
  return std::min(static_cast<unsigned>(std::countr_zero(capacity)) - 2, 4u);
}

uint64_t* TableMemory::take_values(unsigned capacity) {
  std::vector<uint64_t*>& free = free_values_[size_class(capacity)];
  if (!free.empty()) {
    uint64_t* v = free.back();
    free.pop_back();
    return v;
  }
  if (slab_left_ < capacity) {
    charge_.add(kValueSlab * sizeof(uint64_t));  // before allocating: a run out of budget stops here
    value_slabs_.emplace_back(new uint64_t[kValueSlab]);
    slab_left_ = kValueSlab;
  }
  slab_left_ -= capacity;
  return value_slabs_.back().get() + slab_left_;
}

void TableMemory::give_values(uint64_t* values, unsigned capacity) {
  free_values_[size_class(capacity)].push_back(values);
}

void TableMemory::erase_sparse(TablePage& p, unsigned i) {
  const unsigned at = p.rank(i);
  std::copy(p.values_ + at + 1, p.values_ + p.count_, p.values_ + at);
  p.bits_[i >> 6] &= ~(uint64_t{1} << (i & 63));
  --p.count_;
}

void TableMemory::make_dense(TablePage& p) {
  uint64_t* dense = take_dense();
  std::memset(dense, 0, sizeof(DensePage));
  unsigned k = 0;
  for (unsigned i = p.next_present(0); i < kEntries; i = p.next_present(i + 1)) dense[i] = p.values_[k++];
  free_values(p);
  p.dense_ = dense;
  ++dense_pages_;
}

uint64_t* TableMemory::take_dense() {
  if (!free_dense_.empty()) {
    uint64_t* d = free_dense_.back();
    free_dense_.pop_back();
    return d;
  }
  if (used_in_dense_block_ == kDenseBlockPages) {
    charge_.add(kDenseBlockPages * (sizeof(DensePage) + sizeof(uint64_t*)));
    dense_blocks_.emplace_back(
        static_cast<DensePage*>(huge_page_alloc(kDenseBlockPages * sizeof(DensePage))));
    used_in_dense_block_ = 0;
  }
  return dense_blocks_.back().get()[used_in_dense_block_++];
}

}  // namespace hvsim
