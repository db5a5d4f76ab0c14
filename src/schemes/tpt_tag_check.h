// When Translation Pass-Through checks a host frame's owner tag, and which frames a walk checks
// (key tpt.tag_check; docs/tpt.md has the sources and the measured effect).
//
//   fill    the hardware the seed relies on (AMD SEV-SNP's RMP check): the frame a translation
//           ends at is checked at the end of the walk, before the TLB entry is created (enclaive,
//           "Confidential Computing 101", AMD SEV, "Reverse Map Table"), and the result lives in
//           that entry (Bagia et al., "A Close Look at RMP Entry Caching and Its Security
//           Implications in SEV-SNP": the RMP is cached in the TLB), so a TLB hit checks nothing.
//           Page-table accesses are checked too (AMD64 APM vol. 2, Table 15-39, as quoted on
//           linux-mm); where a table page's result is kept is hvsim's choice: a table page is
//           checked when the walk reaches it through a pointer it fetched from memory (or the
//           root); one reached through a page-walk-cache entry was checked when that entry was
//           filled, and the entry keeps the result as the TLB entry keeps the leaf's.
//   walk    every page-table page whose entry the walk reads, whatever gave its frame, and the
//           frame at the end (hvsim's model before tag_check existed).
//   access  as walk, and the data frame again on every TLB hit: a design that keeps no check
//           result in the TLB entry, for comparison.
#pragma once
#include <cstdint>

#include "paging/radix_table.h"

namespace hvsim {

enum class TagCheckMode : uint8_t { kFill, kWalk, kAccess };

// The first of a walk's `steps` (of a table of `levels` levels, its first step at `first_level`)
// whose table page the walk checks: the steps before it read table pages whose check a page-walk
// cache already holds.
inline int first_checked_table(int steps, int first_level, int levels, TagCheckMode mode) {
  if (mode != TagCheckMode::kFill || steps == 0) return 0;
  // Started below the root: the first table's frame came from a page-walk-cache entry.
  return first_level == levels ? 0 : 1;
}

// Whether a TLB hit checks the data frame's tag again.
inline bool checks_tlb_hits(TagCheckMode mode) { return mode == TagCheckMode::kAccess; }

}  // namespace hvsim
