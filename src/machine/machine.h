// The simulated machine every scheme shares: one guest OS and one hypervisor. Before the schemes
// see a batch, the machine performs its guest-side effects (demand paging, host population) and
// records them, so each scheme can charge them at its own price. Within a batch mappings are only
// added, never changed, so the shared tables are read-only while schemes run (in parallel).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "common/event.h"
#include "common/profile.h"
#include "hv/hypervisor.h"
#include "os/guest_os.h"

namespace hvsim {

// What one event did to the guest and host tables. Only events that changed something have one.
struct EventEffect {
  uint32_t event_index = 0;
  bool guest_fault = false;       // a demand fault mapped a page
  bool cow_fault = false;         // a store broke copy-on-write sharing
  bool cow_copied = false;        //   … by copying the page (not just re-enabling writes)
  bool protection_fault = false;  // a store to a read-only mapping (nothing changed)
  PageSize guest_size = PageSize::k4K;
  uint8_t guest_tables_allocated = 0;
  uint32_t host_pages_populated = 0;  // EPT violations
  uint32_t host_tables_allocated = 0;
  uint32_t data_pages_allocated = 0, data_pages_freed = 0;
  uint16_t flush_pcid = 0;                    // non-zero: every TLB entry of this address space is stale
  uint16_t old_pcid = 0;                      // exit/exec: the address space that went away
  uint32_t first_write = 0, write_count = 0;  // guest entries written: BatchEffects::writes
  uint32_t first_table_alloc = 0, table_alloc_count = 0;    // BatchEffects::tables_allocated
  uint32_t first_table_free = 0, table_free_count = 0;      // BatchEffects::tables_freed
  uint32_t first_invalidation = 0, invalidation_count = 0;  // BatchEffects::invalidations
  AddressRange unmapped;                                    // translations removed (GuestOpEffect)
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

// Walks `effects` alongside the events of a batch.
class EffectCursor {
 public:
  explicit EffectCursor(const BatchEffects& fx) : fx_(fx) {}
  const EventEffect* at(uint32_t index) {
    if (next_ < fx_.effects.size() && fx_.effects[next_].event_index == index) return &fx_.effects[next_++];
    return nullptr;
  }
  std::span<const GuestPteWrite> writes(const EventEffect& e) const {
    return {fx_.writes.data() + e.first_write, e.write_count};
  }
  std::span<const GuestPhysAddr> tables_allocated(const EventEffect& e) const {
    return {fx_.tables_allocated.data() + e.first_table_alloc, e.table_alloc_count};
  }
  std::span<const GuestPhysAddr> tables_freed(const EventEffect& e) const {
    return {fx_.tables_freed.data() + e.first_table_free, e.table_free_count};
  }
  std::span<const TlbInvalidation> invalidations(const EventEffect& e) const {
    return {fx_.invalidations.data() + e.first_invalidation, e.invalidation_count};
  }

 private:
  const BatchEffects& fx_;
  size_t next_ = 0;
};

struct MachineSizing {
  uint64_t guest_memory = 0;
  uint64_t host_memory = 0;
  // Sizes memory from a workload's footprint where the profile leaves it at 0 (auto).
  static MachineSizing for_footprint(const Profile& p, uint64_t footprint);
};

class Machine {
 public:
  Machine(const Profile& profile, MachineSizing sizing);

  // Performs the guest- and host-side effects of a prefix of `batch` and returns its length.
  // The prefix ends before the first event, other than the first, that changes or removes an
  // existing translation (munmap, exit, a copy-on-write…): such an event always starts a batch,
  // so the tables schemes read during a batch are those every event in it saw. A fork or an
  // mprotect ends its batch: schemes copy or re-read the tables as that event left them.
  size_t prepare(std::span<const Event> batch, BatchEffects& out);

  // The reference answer: guest table then EPT, no cost model. nullopt for an unmapped address.
  std::optional<HostPhysAddr> reference_translate(uint32_t pid, GuestVirtAddr va) const;

  GuestOs& guest() { return guest_; }
  const GuestOs& guest() const { return guest_; }
  Hypervisor& hypervisor() { return hv_; }
  const Hypervisor& hypervisor() const { return hv_; }
  const Profile& profile() const { return profile_; }
  uint64_t pool_bytes() const { return pool_bytes_; }

 private:
  const Profile& profile_;
  GuestOs guest_;
  Hypervisor hv_;
  uint64_t pool_bytes_;
  GuestOpEffect op_;

  EventEffect& record_op(uint32_t index, BatchEffects& out);
  void populate_tables(EventEffect& e, std::span<const GuestPhysAddr> tables);
};

}  // namespace hvsim
