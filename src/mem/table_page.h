// One 4 KiB page-table page of simulated memory, stored by the entries that exist: a bitmap of
// the present (non-zero) entries and their values packed in index order, until the page fills
// beyond kSparseMax entries and becomes a plain 512-entry array. A walk reads the same entry at
// the same physical address either way; only the simulator's own memory differs. Random
// accesses over a large footprint leave most leaf tables with a few entries each (1 TiB of 4 KiB
// pages: 512 Ki leaf tables), so dense pages would cost 4 KiB per touched 2 MiB region in every
// table of every scheme.
#pragma once
#include <bit>
#include <cstdint>

namespace hvsim {

class TablePage {
 public:
  static constexpr unsigned kEntries = 512;
  // Beyond this many entries a page is dense: 64 values (512 bytes) plus the bitmap is where the
  // packed form stops saving much and its inserts start shifting many values.
  static constexpr unsigned kSparseMax = 64;

  uint64_t get(unsigned i) const {
    if (dense_) return dense_[i];
    const uint64_t bit = uint64_t{1} << (i & 63);
    if (!(bits_[i >> 6] & bit)) return 0;
    return values_[rank(i)];
  }
  uint64_t operator[](unsigned i) const { return get(i); }

  // The first index >= `from` whose entry is present, or kEntries. Safe to call while the
  // caller changes entries at or below the index it was given.
  unsigned next_present(unsigned from) const {
    for (unsigned w = from >> 6; w < kWords; ++w) {
      uint64_t word = bits_[w];
      if (w == (from >> 6)) word &= ~uint64_t{0} << (from & 63);
      if (word) return w * 64 + static_cast<unsigned>(std::countr_zero(word));
    }
    return kEntries;
  }
  unsigned present_entries() const { return count_; }
  bool dense() const { return dense_ != nullptr; }

 private:
  friend class TableMemory;
  static constexpr unsigned kWords = kEntries / 64;

  // Present entries below index i (their position in values_).
  unsigned rank(unsigned i) const {
    unsigned r = 0;
    for (unsigned w = 0; w < (i >> 6); ++w) r += static_cast<unsigned>(std::popcount(bits_[w]));
    return r + static_cast<unsigned>(std::popcount(bits_[i >> 6] & ((uint64_t{1} << (i & 63)) - 1)));
  }

  uint64_t* dense_ = nullptr;   // 512 entries once dense
  uint64_t* values_ = nullptr;  // sparse: count_ values of capacity_, in index order
  uint64_t bits_[kWords] = {};  // present entries, in either form
  uint16_t count_ = 0;
  uint16_t capacity_ = 0;
};

}  // namespace hvsim
