// The hypervisor model's memory side: host-physical memory, the EPT that maps the VM's
// guest-physical memory, and pools of host frames for the tables schemes keep themselves
// (shadow tables, PV tables, …).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/address.h"
#include "hv/host_config.h"
#include "mem/buddy_allocator.h"
#include "mem/table_memory.h"
#include "paging/paging_config.h"
#include "paging/radix_table.h"

namespace hvsim {

using EptTable = RadixTable<GuestPhysAddr, HostPhysAddr, EptEntry>;

// A range of host-physical frames handed to one scheme for its own table pages, with their
// contents. Schemes run on separate threads, so each has its own.
// Host frames set aside for one scheme's own tables: whole 1 GiB blocks (not necessarily
// adjacent: host segments and their guards leave holes), each with its own allocator.
inline constexpr int kPoolChunkOrder = 18;  // pool chunks are 1 GiB of 4 KiB frames

struct HostTablePool {
  struct Chunk {
    uint64_t first = 0;
    std::unique_ptr<BuddyAllocator> frames;
  };
  std::vector<Chunk> chunks;
  std::unique_ptr<TableMemory> memory;
  uint64_t allocate();  // throws SimulationError when exhausted
  // A naturally aligned block of 2^order frames inside one chunk; nullopt when none is free.
  std::optional<uint64_t> allocate_block(int order);
  void free(uint64_t frame);
};

// A contiguous range of guest-physical memory backed by one contiguous range of host-physical
// memory (host.backing = segments): gPA -> hPA is an add and a bounds check.
struct HostSegment {
  uint64_t guest_base = 0;
  uint64_t bytes = 0;
  uint64_t host_base = 0;
  bool contains(uint64_t gpa) const { return gpa - guest_base < bytes; }
  bool contains(uint64_t gpa, uint64_t length) const {
    return contains(gpa) && length <= guest_base + bytes - gpa;
  }
  uint64_t translate(uint64_t gpa) const { return gpa - guest_base + host_base; }
};

struct PopulateEffect {
  int pages = 0;             // host pages newly backing guest memory (EPT violations)
  int tables_allocated = 0;  // EPT table pages allocated for them
};

class Hypervisor {
 public:
  Hypervisor(const HostConfig& cfg, const PagingConfig& paging, uint64_t guest_memory_bytes,
             uint64_t host_memory_bytes);

  // Backs the guest-physical range with host memory if it is not yet (lazy population).
  PopulateEffect populate(GuestPhysAddr start, uint64_t length);

  const EptTable& ept() const { return *ept_; }
  TableMemory& host_tables() { return host_tables_; }
  const TableMemory& host_tables() const { return host_tables_; }

  // Carves `bytes` of host memory out for one scheme's own tables.
  HostTablePool make_pool(uint64_t bytes);

  uint64_t host_memory_bytes() const { return host_memory_bytes_; }

  // The host segments backing guest memory, by ascending guest base; empty with page backing.
  const std::vector<HostSegment>& segments() const { return segments_; }
  // The segment holding all of [gpa, gpa + length), or nullptr.
  const HostSegment* segment_of(uint64_t gpa, uint64_t length) const;

 private:
  uint64_t allocate_frames(int order, const char* what);
  void reserve_segments(uint64_t guest_memory_bytes);

  HostConfig cfg_;
  uint64_t host_memory_bytes_;
  BuddyAllocator frames_;
  TableMemory host_tables_;
  std::unique_ptr<EptTable> ept_;
  std::vector<HostSegment> segments_;
};

}  // namespace hvsim
