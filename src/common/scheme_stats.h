// What one scheme measured over a run.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace hvsim {

enum class ExitReason : uint8_t {
  kEptViolation,    // host populates guest memory on first touch
  kGuestPageFault,  // #PF intercepted and reflected (shadow paging)
  kPteWrite,        // write to a write-protected guest page table (shadow paging)
  kHiddenFault,     // shadow entry missing for a page the guest has mapped
  kCr3Write,        // address-space switch under shadow paging
  kHypercall,       // explicit hypercall (paravirtual schemes)
  kInvlpg,          // guest TLB invalidation intercepted (shadow paging)
  kOther,
  kCount
};

constexpr std::string_view exit_reason_name(ExitReason r) {
  switch (r) {
    case ExitReason::kEptViolation:
      return "ept_violation";
    case ExitReason::kGuestPageFault:
      return "guest_page_fault";
    case ExitReason::kPteWrite:
      return "pte_write";
    case ExitReason::kHiddenFault:
      return "hidden_fault";
    case ExitReason::kCr3Write:
      return "cr3_write";
    case ExitReason::kHypercall:
      return "hypercall";
    case ExitReason::kInvlpg:
      return "invlpg";
    case ExitReason::kOther:
      return "other";
    case ExitReason::kCount:
      break;
  }
  return "?";
}

// Per-operation cost accounting: OS event kinds use their EventKind value; demand and
// copy-on-write faults have slots of their own after them.
inline constexpr size_t kEventSlots = 32;
inline constexpr size_t kPageFaultSlot = 30;
inline constexpr size_t kCowFaultSlot = 31;

std::string_view event_slot_name(size_t slot);

struct EventCost {
  uint64_t count = 0;
  uint64_t cycles = 0;  // guest plus hypervisor cycles charged for these events
};

struct SchemeStats {
  uint64_t accesses = 0;
  uint64_t tlb_l1_misses = 0;
  uint64_t tlb_l2_misses = 0;
  uint64_t walks = 0;           // hardware walks that produced a translation
  uint64_t walk_mem_refs = 0;   // entries those walks fetched from the memory hierarchy
  uint64_t faulting_walks = 0;  // hardware walks that ended on a non-present entry
  uint64_t faulting_walk_refs = 0;
  uint64_t walk_cycles = 0;     // all hardware walks
  uint64_t tlb_hit_cycles = 0;  // second-level TLB hits
  uint64_t guest_faults = 0;
  uint64_t guest_cycles = 0;  // guest kernel work: fault handlers, page-table writes
  uint64_t vm_exits = 0;
  uint64_t hypercalls = 0;
  uint64_t hypervisor_cycles = 0;
  uint64_t data_cycles = 0;  // data accesses through the cache model
  uint64_t base_cycles = 0;  // non-memory work
  std::array<uint64_t, static_cast<size_t>(ExitReason::kCount)> exits_by_reason{};
  uint64_t pt_alloc_cycles = 0;  // page-table page allocation and free (part of guest + hypervisor)
  uint64_t iotlb_flushes = 0;
  std::array<EventCost, kEventSlots> events{};
  std::map<std::string, double> details;  // scheme-specific figures

  uint64_t total_cycles() const {
    return base_cycles + data_cycles + tlb_hit_cycles + walk_cycles + guest_cycles + hypervisor_cycles;
  }
  // Time spent translating addresses: second-level TLB hits, walks, hypervisor work.
  uint64_t translation_cycles() const { return tlb_hit_cycles + walk_cycles + hypervisor_cycles; }

  void exit(ExitReason r, uint64_t handler_cycles, uint64_t exit_cycles) {
    ++vm_exits;
    ++exits_by_reason[static_cast<size_t>(r)];
    hypervisor_cycles += handler_cycles + exit_cycles;
  }
};

}  // namespace hvsim
