// What a walk answers, and what it cost: the one result every walker and scheme returns. The
// table decides which entries a walk touches; the walkers cost them; the scheme's shared loop
// counts the result and fills the TLB from it.
#pragma once
#include <cstdint>
#include <type_traits>

#include "common/address.h"
#include "common/page_size.h"

namespace hvsim {

struct WalkCost {
  uint32_t refs = 0;    // entries fetched from the memory hierarchy
  uint32_t cycles = 0;  // page-walk-cache hits plus fetch latencies
  void operator+=(const WalkCost& o) {
    refs += o.refs;
    cycles += o.cycles;
  }
};

// A translation (the page an address maps to, and its size) or a fault, with the walk's cost.
// `Out` is the address space translated into (HostPhysAddr; GuestPhysAddr for native). The page
// base, its size and the success bit share one word, so the result is 16 bytes and trivially
// copyable: a walk that is not inlined still returns it in two registers.
template <class Out>
class Translation {
 public:
  constexpr Translation() = default;
  // `addr` anywhere inside the page of `size`.
  static constexpr Translation to(Out addr, PageSize size, WalkCost cost) {
    return Translation(
        addr.align_down(page_shift(size)).value | uint64_t{static_cast<uint8_t>(size)} << 1 | 1, cost);
  }
  static constexpr Translation fault(WalkCost cost) { return Translation(0, cost); }

  constexpr bool ok() const { return bits_ & 1; }
  constexpr Out page() const { return Out(bits_ & ~kLowBits); }
  constexpr PageSize size() const { return static_cast<PageSize>((bits_ >> 1) & 3); }
  // The translated address of `in`, an address inside the page.
  constexpr Out at(uint64_t in) const { return Out(page().value | (in & (page_bytes(size()) - 1))); }

  WalkCost cost;

 private:
  static constexpr uint64_t kLowBits = 0xfff;  // below the smallest page
  constexpr Translation(uint64_t bits, WalkCost cost) : cost(cost), bits_(bits) {}
  uint64_t bits_ = 0;  // page base | size << 1 | ok
};

static_assert(sizeof(Translation<HostPhysAddr>) == 16 &&
              std::is_trivially_copyable_v<Translation<HostPhysAddr>>);

}  // namespace hvsim
