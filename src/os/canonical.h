// Which guest-virtual addresses a stream may hold. x86-64 accepts only canonical addresses: bits
// 63..N-1 all equal to bit N-1, with N = 48 under 4-level paging and 57 under 5-level. The table
// index uses bits N-1..12 only, so a canonical high-half (kernel) address is simulated by its low
// N bits — where it cannot meet a user address, whose bit N-1 is clear. A non-canonical address
// would otherwise alias silently; it is an error instead.
#pragma once
#include <cstdint>

#include "common/event.h"

namespace hvsim {

// Bits of a canonical address under `levels`-level paging (48 or 57).
constexpr unsigned virtual_address_bits(int levels) { return 12 + 9 * static_cast<unsigned>(levels); }

// The low-bits form of a canonical address; false if `va` is not canonical.
constexpr bool fold_canonical(uint64_t& va, int levels) {
  const unsigned bits = virtual_address_bits(levels);
  const uint64_t top = va >> (bits - 1);
  if (top != 0 && top != (~uint64_t{0} >> (bits - 1))) return false;
  va &= (uint64_t{1} << bits) - 1;
  return true;
}

// Folds the addresses of `e` (an access, or an OS event's range [addr, addr+arg)); false if the
// address or the range's last byte is not canonical, or the range crosses from one half to the
// other.
constexpr bool canonicalize(Event& e, int levels) {
  switch (e.kind) {
    case EventKind::kProcessCreate:
    case EventKind::kExec:
    case EventKind::kProcessExit:
    case EventKind::kContextSwitch:
      return true;
    case EventKind::kMmap:
    case EventKind::kMunmap:
    case EventKind::kMprotect:
    case EventKind::kMadviseDontneed:
    case EventKind::kTlbShootdown:
    case EventKind::kDmaMap:
    case EventKind::kDmaUnmap: {
      if (e.arg == 0) return fold_canonical(e.addr, levels);
      uint64_t first = e.addr, last = e.addr + (e.arg - 1);
      if (last < first || !fold_canonical(first, levels) || !fold_canonical(last, levels) || last < first)
        return false;
      e.addr = first;
      return true;
    }
    default:
      return fold_canonical(e.addr, levels);
  }
}

}  // namespace hvsim
