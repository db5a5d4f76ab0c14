// The nested TLB of two-dimensional walks: caches guest-physical to host-physical translations
// of the pages a 2D walk visits (guest page-table pages and the final data page).
#pragma once
#include <cstdint>

#include "common/page_size.h"
#include "common/set_assoc.h"
#include "tlb/tlb_config.h"

namespace hvsim {

class NestedTlb {
 public:
  NestedTlb(uint32_t entries, uint32_t ways) : cache_(entries, ways) {}
  explicit NestedTlb(const NestedTlbConfig& c) : cache_(c.entries, c.ways) {}

  // Host-physical base of the host page holding `gpa`, if cached.
  bool lookup(uint64_t gpa, PageSize host_size, uint64_t& host_page) {
    if (uint64_t* p = cache_.lookup(key(gpa, host_size))) {
      host_page = *p;
      return true;
    }
    return false;
  }
  void fill(uint64_t gpa, PageSize host_size, uint64_t host_page) {
    cache_.insert(key(gpa, host_size), host_page);
  }
  void flush() { cache_.clear(); }

 private:
  static uint64_t key(uint64_t gpa, PageSize s) {
    return (gpa >> page_shift(s)) | (uint64_t{static_cast<uint8_t>(s)} << 62);
  }
  SetAssoc<uint64_t> cache_;
};

}  // namespace hvsim
