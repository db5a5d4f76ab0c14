// The hypervisor model's memory side: host-physical memory, the EPT that maps the VM's
// guest-physical memory, and pools of host frames for the tables schemes keep themselves
// (shadow tables, PV tables, …).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "common/address.h"
#include "common/profile.h"
#include "mem/buddy_allocator.h"
#include "mem/table_memory.h"
#include "paging/radix_table.h"

namespace hvsim {

using EptTable = RadixTable<GuestPhysAddr, HostPhysAddr, EptEntry>;

// A range of host-physical frames handed to one scheme for its own table pages, with their
// contents. Schemes run on separate threads, so each has its own.
struct HostTablePool {
  std::unique_ptr<BuddyAllocator> frames;
  std::unique_ptr<TableMemory> memory;
  uint64_t allocate();  // throws SimulationError when exhausted
  void free(uint64_t frame);
};

struct PopulateEffect {
  int pages = 0;            // host pages newly backing guest memory (EPT violations)
  int tables_allocated = 0;  // EPT table pages allocated for them
};

class Hypervisor {
 public:
  Hypervisor(const Profile& profile, uint64_t guest_memory_bytes, uint64_t host_memory_bytes);

  // Backs the guest-physical range with host memory if it is not yet (lazy population).
  PopulateEffect populate(GuestPhysAddr start, uint64_t length);

  const EptTable& ept() const { return *ept_; }
  TableMemory& host_tables() { return host_tables_; }
  const TableMemory& host_tables() const { return host_tables_; }

  // Carves `bytes` of host memory out for one scheme's own tables.
  HostTablePool make_pool(uint64_t bytes);

  uint64_t host_memory_bytes() const { return host_memory_bytes_; }

 private:
  uint64_t allocate_frames(int order, const char* what);

  const Profile& profile_;
  uint64_t host_memory_bytes_;
  BuddyAllocator frames_;
  TableMemory host_tables_;
  std::unique_ptr<EptTable> ept_;
};

}  // namespace hvsim
