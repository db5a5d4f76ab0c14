// The data-side TLBs of one core: an L1 DTLB per page size and a second-level TLB shared by 4 KiB
// and 2 MiB pages (plus a small one for 1 GiB pages), tagged by address-space id (PCID/VPID).
// Entries map to `Out` pages: host-physical ones, or guest-physical ones for a scheme that has no
// host dimension (native).
#pragma once
#include <cstdint>

#include "common/address.h"
#include "common/page_size.h"
#include "common/set_assoc.h"
#include "tlb/tlb_config.h"

namespace hvsim {

enum class TlbHit : uint8_t { kL1, kL2, kMiss };

template <class Out>
class TlbHierarchy {
 public:
  explicit TlbHierarchy(const TlbConfig& cfg) : cfg_(cfg) {
    for (int s = 0; s < kPageSizeCount; ++s) l1_[s].configure(cfg.l1[s].entries, cfg.l1[s].ways);
    l2_.configure(cfg.l2.entries, cfg.l2.ways);
    l2_1g_.configure(cfg.l2_1g.entries, cfg.l2_1g.ways);
  }

  // On a hit, `page` is the translated page and `size` its size.
  TlbHit lookup(GuestVirtAddr va, uint16_t asid, Out& page, PageSize& size) {
    for (int s = 0; s < kPageSizeCount; ++s) {
      if (!(sizes_seen_ & (1u << s))) continue;
      PageSize ps = static_cast<PageSize>(s);
      if (Entry* e = l1_[s].lookup(key(va, asid, ps))) {
        page = e->page;
        size = ps;
        return TlbHit::kL1;
      }
    }
    for (int s = 0; s < kPageSizeCount; ++s) {
      if (!(sizes_seen_ & (1u << s))) continue;
      PageSize ps = static_cast<PageSize>(s);
      uint64_t k = key(va, asid, ps);
      if (Entry* e = second_level(ps).lookup(k)) {
        page = e->page;
        size = ps;
        l1_[s].insert_absent(k, *e);  // L1 just missed it
        return TlbHit::kL2;
      }
    }
    return TlbHit::kMiss;
  }

  // After a miss at both levels (so the translation is in neither).
  void fill(GuestVirtAddr va, uint16_t asid, PageSize size, Out page) {
    sizes_seen_ |= 1u << static_cast<unsigned>(size);
    uint64_t k = key(va, asid, size);
    l1_[static_cast<int>(size)].insert_absent(k, Entry{page});
    second_level(size).insert_absent(k, Entry{page});
  }

  // INVLPG of the guest page of `size` at `va`: drops the translation of `va` at every page size
  // and, for a large page, every smaller entry made from it (a 2 MiB guest page over 4 KiB host
  // pages is cached as 4 KiB entries, as in hardware that splinters it).
  void invalidate_page(GuestVirtAddr va, uint16_t asid, PageSize size = PageSize::k4K) {
    for (int s = 0; s < kPageSizeCount; ++s) {
      PageSize ps = static_cast<PageSize>(s);
      uint64_t k = key(va, asid, ps);
      l1_[s].invalidate(k);
      second_level(ps).invalidate(k);
    }
    if (size == PageSize::k4K) return;
    const uint64_t first = va.value >> page_shift(size);
    auto inside = [&](uint64_t k, const Entry&) {
      if (((k >> kAsidShift) & 0xffff) != asid) return false;
      const PageSize ks = static_cast<PageSize>(k >> 62);
      if (ks >= size) return false;
      const unsigned d = page_shift(size) - page_shift(ks);
      const uint64_t mask = (1ull << kAsidShift) - 1;
      return ((k & mask) >> d) == (first & (mask >> d));
    };
    for (int s = 0; s < static_cast<int>(size); ++s) {
      if (!(sizes_seen_ & (1u << s))) continue;
      l1_[s].invalidate_if(inside);
    }
    l2_.invalidate_if(inside);
  }

  // PCID-tagged flush of one address space.
  void flush_asid(uint16_t asid) {
    auto same = [asid](uint64_t k, const Entry&) { return ((k >> kAsidShift) & 0xffff) == asid; };
    for (auto& t : l1_) t.invalidate_if(same);
    l2_.invalidate_if(same);
    l2_1g_.invalidate_if(same);
  }

  void flush_all() {
    for (auto& t : l1_) t.clear();
    l2_.clear();
    l2_1g_.clear();
  }

  uint32_t l2_hit_cycles() const { return cfg_.l2_hit_cycles; }

 private:
  struct Entry {
    Out page;
  };
  static constexpr unsigned kAsidShift = 46;

  // Page number in the low bits (they pick the set, as in hardware), then the address-space id,
  // then the page size so 4K and 2M entries of the shared L2 never alias.
  static uint64_t key(GuestVirtAddr va, uint16_t asid, PageSize s) {
    return ((va.value >> page_shift(s)) & ((1ull << kAsidShift) - 1)) | (uint64_t{asid} << kAsidShift) |
           (uint64_t{static_cast<uint8_t>(s)} << 62);
  }
  SetAssoc<Entry>& second_level(PageSize s) { return s == PageSize::k1G ? l2_1g_ : l2_; }

  TlbConfig cfg_;
  SetAssoc<Entry> l1_[kPageSizeCount];
  SetAssoc<Entry> l2_, l2_1g_;
  unsigned sizes_seen_ = 0;
};

}  // namespace hvsim
