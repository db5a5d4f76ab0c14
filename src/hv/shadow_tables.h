// Shadow page tables kept by the hypervisor: per guest process, a gVA->hPA table in host memory
// that the hardware walks in one dimension. Filled on hidden faults from the guest table and the
// EPT; guest page-table pages that back shadow entries are write-protected ("shadowed") so the
// hypervisor sees every change to them.
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "common/error.h"
#include "common/flat_map.h"
#include "hv/hypervisor.h"
#include "mem/cache_hierarchy.h"
#include "os/address_space.h"
#include "paging/walker.h"

namespace hvsim {

using ShadowTable = RadixTable<GuestVirtAddr, HostPhysAddr, X86Entry>;

// A shadow walk that still faults right after a successful fill: the tables are inconsistent,
// and going on would report a made-up address.
[[noreturn]] inline void throw_shadow_refill_failed(GuestVirtAddr va) {
  throw SimulationError(fmt::format(
      "internal: the shadow walk of guest-virtual {:#x} faulted again after its hidden fault was filled",
      va.value));
}

class ShadowTables {
 public:
  ShadowTables(Hypervisor& hv, uint64_t pool_bytes, int levels)
      : ept_(hv.ept()), pool_(hv.make_pool(pool_bytes)), levels_(levels) {}

  // Every TLB miss asks for the current process's table: the last answer is kept, so that the
  // walk does not hash the pid each time.
  ShadowTable& table_for(const AddressSpace& as) {
    if (last_ && as.pid == last_pid_) return *last_;
    auto it = tables_.find(as.pid);
    if (it == tables_.end())
      it = tables_.emplace(as.pid, std::make_unique<ShadowTable>(*pool_.memory, levels_, pool_.allocate()))
               .first;
    last_pid_ = as.pid;
    last_ = it->second.get();
    return *last_;
  }

  struct FillResult {
    bool ok = false;
    WalkCost software_walk;  // the hypervisor's reads of guest entries
    int entries_written = 0;
  };

  // Builds the shadow entry for `va` from the guest table and the EPT, as a hidden-fault handler
  // does: a software walk of the guest table, then a write of the shadow path.
  FillResult fill(const AddressSpace& as, GuestVirtAddr va, CacheHierarchy& cache) {
    FillResult r;
    auto gpath = as.table->walk(va);
    for (int i = 0; i < gpath.count; ++i) {
      // The hypervisor reads guest entries through its own mapping of guest memory.
      auto h = ept_.translate(gpath.steps[i].entry_addr);
      if (h) r.software_walk.cycles += cache.access(h->addr.value).cycles;
      ++r.software_walk.refs;
      int level = gpath.steps[i].level;
      shadowed_.insert(gpath.table_frame_at[level], 0);  // shadowed, no writes since
    }
    if (!gpath.ok) return r;
    auto h = ept_.translate(gpath.result);
    if (!h) return r;
    // A large shadow leaf must not replace a table left by smaller pages (the walk caches hold
    // its frame): the guest page is then shadowed in smaller pieces, filled as they are used.
    ShadowTable& table = table_for(as);
    PageSize size = table.fitting_size(va, min_page_size(gpath.size, h->size));
    unsigned shift = page_shift(size);
    auto fx = table.map(va.align_down(shift), h->addr.align_down(shift), size, true,
                        [this] { return pool_.allocate(); });
    r.entries_written = fx.entries_written;
    r.ok = true;
    return r;
  }

  // True if the guest page-table page holding `entry` is write-protected for shadowing.
  bool is_shadowed(GuestPhysAddr entry) const { return shadowed_.find(entry.number(12)) != nullptr; }

  // A guest write to `entry`: true if it traps (its page is shadowed). After kFloodWrites
  // trapped writes with no shadow fill in between the page stops being shadowed, as KVM's
  // write-flooding detection unshadows a page the guest is rewriting wholesale.
  static constexpr uint8_t kFloodWrites = 3;
  bool trap_write(GuestPhysAddr entry) {
    uint8_t* writes = shadowed_.find(entry.number(12));
    if (!writes) return false;
    if (++*writes > kFloodWrites) shadowed_.erase(entry.number(12));
    return true;
  }
  // A guest table page was freed: it is no longer shadowed.
  void forget_guest_table(GuestPhysAddr page) { shadowed_.erase(page.number(12)); }

  // Clears the shadow leaves of `pid` in [start, end); returns how many.
  uint64_t zap(uint32_t pid, uint64_t start, uint64_t end) {
    auto it = tables_.find(pid);
    if (it == tables_.end()) return 0;
    uint64_t n = 0;
    it->second->for_each_leaf(start, end, [&](uint64_t, uint64_t& e, int, HostPhysAddr) {
      e = 0;
      ++n;
    });
    return n;
  }

  // Frees the shadow table of `pid` (its process exited or exec'd); returns the pages freed.
  uint64_t drop(uint32_t pid) {
    auto it = tables_.find(pid);
    if (it == tables_.end()) return 0;
    uint64_t pages = free_table(*it->second);
    tables_.erase(it);
    last_ = nullptr;
    return pages;
  }
  size_t shadowed_pages() const { return shadowed_.size(); }
  size_t table_pages() const { return pool_.memory->pages(); }

  // Drops every shadow table and write-protection (leaving shadow paging, or flushing it so
  // that it is rebuilt lazily by hidden faults); returns the table pages freed.
  uint64_t clear() {
    uint64_t pages = 0;
    for (auto& [pid, t] : tables_) pages += free_table(*t);
    tables_.clear();
    last_ = nullptr;
    shadowed_ = FlatU64Map<uint8_t>{10};
    return pages;
  }

 private:
  uint64_t free_table(ShadowTable& t) {
    uint64_t pages = 1;
    t.for_each_table([&](uint64_t frame, int) {
      pool_.free(frame);
      ++pages;
    });
    pool_.free(t.root_frame());
    return pages;
  }

  const EptTable& ept_;
  HostTablePool pool_;
  int levels_;
  std::unordered_map<uint32_t, std::unique_ptr<ShadowTable>> tables_;
  uint32_t last_pid_ = 0;  // table_for's last answer, if last_ (tables do not move: unique_ptr)
  ShadowTable* last_ = nullptr;
  FlatU64Map<uint8_t> shadowed_{10};
};

}  // namespace hvsim
