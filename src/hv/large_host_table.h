// A host (gPA->hPA) table with fewer, larger levels than the EPT: `levels` tables deep, each
// table indexed by as many guest-physical bits as the layout gives its level (so a table may
// span many 4 KiB frames), with leaves of 2^leaf_shift bytes. With h levels a walk fetches h
// entries, so a 2D walk over a g-level guest fetches (g+1)(h+1)-1 when nothing is cached.
//
// The table is filled lazily from the machine's EPT, so it answers with the same host-physical
// addresses. The machine backs guest memory in `host.page_size` pieces; where a leaf is larger
// than that, the leaf entry stands for the region and the piece's address is read from the
// machine's layout (the walk's cost is this table's; the answer and TLB reach stay the
// machine's). With leaves no larger than `host.page_size` the leaf entry alone gives the answer.
#pragma once
#include <array>
#include <cstdint>

#include "common/address.h"
#include "common/page_size.h"
#include "hv/hypervisor.h"

namespace hvsim {

struct LargeHostLayout {
  static constexpr int kMaxLevels = 5;
  static constexpr unsigned kMaxBitsPerLevel = 27;  // a 1 GiB table: one buddy block

  int levels = 2;
  unsigned leaf_shift = 30;
  unsigned address_bits = 32;
  std::array<unsigned, kMaxLevels + 1> shift{};  // lowest gPA bit indexing level l (1 = leaf level)
  std::array<unsigned, kMaxLevels + 1> bits{};   // index bits of level l

  // Splits the bits between leaf_shift and address_bits over `levels` as evenly as possible (the
  // upper levels take the remainder). Throws InputError naming `what` for an impossible layout.
  static LargeHostLayout make(int levels, unsigned leaf_shift, unsigned address_bits, const char* what);
  uint64_t table_bytes(int level) const { return uint64_t{8} << bits[level]; }
};

class LargeHostTable {
 public:
  LargeHostTable(Hypervisor& hv, const LargeHostLayout& layout, PageSize backing, uint64_t pool_bytes);

  struct Step {
    HostPhysAddr entry_addr;
    int level;
  };
  struct Path {
    std::array<Step, LargeHostLayout::kMaxLevels> steps{};
    int count = 0;
    bool ok = false;
    HostPhysAddr result;
    PageSize size = PageSize::k4K;  // what a TLB may cache: the largest page inside the mapping
    std::array<uint64_t, LargeHostLayout::kMaxLevels + 1> table_at{};  // table frame read at level l
  };

  // Walks from `level`, whose table starts at `table_frame`; entries missing on the way are
  // filled from the EPT first (the hypervisor did so when it backed the memory).
  Path walk_from(GuestPhysAddr gpa, int level, uint64_t table_frame);
  Path walk(GuestPhysAddr gpa) { return walk_from(gpa, layout_.levels, root_); }

  const LargeHostLayout& layout() const { return layout_; }
  uint64_t root_frame() const { return root_; }
  uint64_t tables() const { return tables_; }
  uint64_t table_frames() const { return table_frames_; }
  uint64_t leaves_filled() const { return leaves_filled_; }
  // Where this layout's leaves hold the exact host address (leaf <= host.page_size).
  bool leaves_exact() const { return exact_; }
  PageSize tlb_size() const { return tlb_size_; }

 private:
  uint64_t allocate_table(int level);
  uint64_t read(uint64_t table_frame, uint64_t index) const;
  void write(uint64_t table_frame, uint64_t index, uint64_t entry);

  const EptTable& ept_;
  LargeHostLayout layout_;
  PageSize tlb_size_;
  bool exact_;
  HostTablePool pool_;
  uint64_t root_ = 0;
  uint64_t tables_ = 0, table_frames_ = 0, leaves_filled_ = 0;
};

}  // namespace hvsim
