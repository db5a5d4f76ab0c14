// Bit layouts of x86-64 page-table entries (guest and native tables) and of EPT entries (host
// tables). Both put the next-level frame in bits 12..51 and the large-page bit at 7.
#pragma once
#include <cstdint>

#include "common/page_size.h"

namespace hvsim {

inline constexpr uint64_t kEntryAddrMask = 0x000F'FFFF'FFFF'F000ull;

struct X86Entry {
  static constexpr uint64_t kPresent = 1ull << 0;
  static constexpr uint64_t kWrite = 1ull << 1;
  static constexpr uint64_t kUser = 1ull << 2;
  static constexpr uint64_t kAccessed = 1ull << 5;
  static constexpr uint64_t kDirty = 1ull << 6;
  static constexpr uint64_t kPageSize = 1ull << 7;
  static constexpr uint64_t kNoExecute = 1ull << 63;

  static constexpr bool present(uint64_t e) { return e & kPresent; }
  static constexpr bool writable(uint64_t e) { return e & kWrite; }
  static constexpr bool large(uint64_t e) { return e & kPageSize; }
  static constexpr uint64_t make_table(uint64_t table_addr) {
    return (table_addr & kEntryAddrMask) | kPresent | kWrite | kUser;
  }
  static constexpr uint64_t make_leaf(uint64_t frame_addr, PageSize size, bool write) {
    return (frame_addr & kEntryAddrMask) | kPresent | kUser | (write ? kWrite : 0) |
           (size == PageSize::k4K ? 0 : kPageSize);
  }
  static constexpr uint64_t set_accessed(uint64_t e, bool dirty) {
    return e | kAccessed | (dirty ? kDirty : 0);
  }
  static constexpr uint64_t with_write(uint64_t e, bool write) {
    return write ? (e | kWrite) : (e & ~kWrite);
  }
};

struct EptEntry {
  static constexpr uint64_t kRead = 1ull << 0;
  static constexpr uint64_t kWrite = 1ull << 1;
  static constexpr uint64_t kExecute = 1ull << 2;
  static constexpr uint64_t kMemTypeWB = 6ull << 3;
  static constexpr uint64_t kPageSize = 1ull << 7;
  static constexpr uint64_t kAccessed = 1ull << 8;
  static constexpr uint64_t kDirty = 1ull << 9;

  static constexpr bool present(uint64_t e) { return e & (kRead | kWrite | kExecute); }
  static constexpr bool writable(uint64_t e) { return e & kWrite; }
  static constexpr bool large(uint64_t e) { return e & kPageSize; }
  static constexpr uint64_t make_table(uint64_t table_addr) {
    return (table_addr & kEntryAddrMask) | kRead | kWrite | kExecute;
  }
  static constexpr uint64_t make_leaf(uint64_t frame_addr, PageSize size, bool write) {
    return (frame_addr & kEntryAddrMask) | kRead | kExecute | kMemTypeWB | (write ? kWrite : 0) |
           (size == PageSize::k4K ? 0 : kPageSize);
  }
  static constexpr uint64_t set_accessed(uint64_t e, bool dirty) {
    return e | kAccessed | (dirty ? kDirty : 0);
  }
  static constexpr uint64_t with_write(uint64_t e, bool write) {
    return write ? (e | kWrite) : (e & ~kWrite);
  }
};

// Index into the table at `level` (1 = leaf PT) for an address.
constexpr unsigned table_index(uint64_t addr, int level) {
  return static_cast<unsigned>((addr >> (12 + 9 * (level - 1))) & 511);
}

}  // namespace hvsim
