// The typed effects the machine emits for a batch: what each event did to the guest's and the
// host's tables, in terms schemes react to (a page mapped, a range unmapped, an address space
// copied or gone, a CR3 write, table pages allocated and freed, entries written, TLB entries made
// stale). Machine::record builds every one; schemes read these, never the OS event's kind.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "common/address.h"
#include "common/page_size.h"
#include "common/range_map.h"
#include "os/guest_os.h"

namespace hvsim {

// What the guest's fault handler did for an access (kind kNone: the access did not fault).
struct FaultEffect {
  FaultKind kind = FaultKind::kNone;  // kDemand or kCopyOnWrite: a page mapped; kProtection: nothing
  bool copied = false;                // copy-on-write by copying the page (not re-enabling writes)
  PageSize size = PageSize::k4K;      // of the page mapped
  uint8_t path_tables = 0;            // guest table pages the fault put on the page's path
};

// What an OS event did to an address space as a whole.
enum class SpaceChange : uint8_t {
  kNone,
  kForked,    // copied into the child `SpaceEffect::child` (both now copy-on-write)
  kReplaced,  // exec: torn down; the pid now has a fresh, empty one
  kExited,    // torn down, and the process is gone
};

struct SpaceEffect {
  SpaceChange change = SpaceChange::kNone;
  uint32_t child = 0;     // kForked
  uint16_t old_pcid = 0;  // kReplaced, kExited: the address space that went away (0: there was none)
  bool gone() const { return change == SpaceChange::kReplaced || change == SpaceChange::kExited; }
};

struct MemoryEffect {
  uint32_t host_pages_populated = 0;  // guest pages the host newly backed (EPT violations)
  uint32_t host_tables_allocated = 0;
  uint32_t data_pages_allocated = 0, data_pages_freed = 0;
};

// A run of entries in one of BatchEffects' lists.
struct EffectSlice {
  uint32_t first = 0, count = 0;
};

// What one event did. Only events that changed something (or, for a device mapping, asked the
// hypervisor for something) have one.
struct EventEffect {
  uint32_t event_index = 0;
  uint32_t pid = 0;  // the process whose address space the event acted on
  FaultEffect fault;
  SpaceEffect space;
  AddressRange unmapped;         // translations removed (munmap, madvise, mmap over live pages, brk)
  bool tables_kept = false;      // madvise: the unmapped range keeps its table pages
  AddressRange reprotected;      // mprotect: the range whose write permission changed
  bool device_mapping = false;   // a DMA map or unmap through the IOMMU
  uint16_t flush_pcid = 0;       // non-zero: every TLB entry of this address space is stale
  EffectSlice writes;            // guest entries written: BatchEffects::writes
  EffectSlice tables_allocated;  // guest table pages: BatchEffects::tables_allocated
  EffectSlice tables_freed;      // BatchEffects::tables_freed
  EffectSlice invalidations;     // single TLB entries made stale: BatchEffects::invalidations
  MemoryEffect memory;

  // The guest reloaded CR3 to flush a live address space's TLB (a torn-down one needs no reload).
  bool cr3_write() const { return flush_pcid && !space.gone(); }
};

struct BatchEffects {
  std::vector<EventEffect> effects;  // ascending event_index
  std::vector<GuestPteWrite> writes;
  std::vector<GuestPhysAddr> tables_allocated;
  std::vector<GuestPhysAddr> tables_freed;
  std::vector<TlbInvalidation> invalidations;
  void clear() {
    effects.clear();
    writes.clear();
    tables_allocated.clear();
    tables_freed.clear();
    invalidations.clear();
  }
};

// One event's effect together with the lists it points into: what a scheme's hooks receive.
class Effect {
 public:
  Effect(const EventEffect& e, const BatchEffects& batch) : e_(e), batch_(batch) {}
  const EventEffect& operator*() const { return e_; }
  const EventEffect* operator->() const { return &e_; }
  std::span<const GuestPteWrite> writes() const { return slice(batch_.writes, e_.writes); }
  std::span<const GuestPhysAddr> tables_allocated() const {
    return slice(batch_.tables_allocated, e_.tables_allocated);
  }
  std::span<const GuestPhysAddr> tables_freed() const { return slice(batch_.tables_freed, e_.tables_freed); }
  std::span<const TlbInvalidation> invalidations() const {
    return slice(batch_.invalidations, e_.invalidations);
  }

 private:
  template <class T>
  static std::span<const T> slice(const std::vector<T>& v, EffectSlice s) {
    return {v.data() + s.first, s.count};
  }
  const EventEffect& e_;
  const BatchEffects& batch_;
};

// Walks a batch's effects alongside its events.
class EffectCursor {
 public:
  explicit EffectCursor(const BatchEffects& fx) : fx_(fx) {}
  const EventEffect* at(uint32_t index) {
    if (next_ < fx_.effects.size() && fx_.effects[next_].event_index == index) return &fx_.effects[next_++];
    return nullptr;
  }

 private:
  const BatchEffects& fx_;
  size_t next_ = 0;
};

}  // namespace hvsim
