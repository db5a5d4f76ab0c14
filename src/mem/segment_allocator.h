// Contiguous ranges of host memory for whole-VM segments ((No)Compromis, VEE 2021): a host's RAM
// is an address range of units (granules), a VM asks for n contiguous units and gets an extent,
// or, when no hole is big enough, up to a budget of extents (segment_split.h). One interface
// over first-fit, best-fit, 1 GiB-aligned and buddy placement, so the cluster model and the
// hypervisor model compare them on the same requests.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hvsim {

struct Extent {
  uint64_t start = 0;  // in units from the bottom of the range
  uint64_t length = 0;
  uint64_t end() const { return start + length; }
  bool operator==(const Extent&) const = default;
};

enum class AllocatorKind : uint8_t { kFirstFit, kBestFit, kAligned, kBuddy };

class SegmentAllocator {
 public:
  virtual ~SegmentAllocator() = default;
  // One extent of at least n units (an allocator may round up: the aligned one to its alignment,
  // the buddy to a power of two); nullopt when no hole holds it. n > 0.
  virtual std::optional<Extent> allocate(uint64_t n) = 0;
  // A piece of at most n units (at least one) for splitting: from the largest hole, or from the
  // lowest-addressed one. The buddy has no address order and takes its largest block for both.
  virtual std::optional<Extent> allocate_piece(uint64_t n, bool lowest_address) = 0;
  // Takes exactly `e` (reserved regions, unmovable pages, a VM put back where it was); false
  // when part of it is not free.
  virtual bool take(const Extent& e) = 0;
  // Gives back an extent this allocator returned (or took).
  virtual void release(const Extent& e) = 0;
  virtual uint64_t free_units() const = 0;
  // The largest n for which allocate(n) succeeds now.
  virtual uint64_t largest_allocatable() const = 0;
  virtual uint64_t total_units() const = 0;
};

// `align_units`: the aligned allocator's alignment (1 GiB in units); others ignore it.
std::unique_ptr<SegmentAllocator> make_segment_allocator(AllocatorKind kind, uint64_t units,
                                                         uint64_t align_units);

// "first-fit", "best-fit", "aligned", "buddy"; parse_allocator_kind throws InputError otherwise.
const char* allocator_name(AllocatorKind kind);
AllocatorKind parse_allocator_kind(const std::string& name);
std::vector<std::string> allocator_names();

}  // namespace hvsim
