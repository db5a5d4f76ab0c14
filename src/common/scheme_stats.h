// What one scheme measured over a run.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/cost_ledger.h"

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
inline constexpr size_t kExitReasons = static_cast<size_t>(ExitReason::kCount);

std::string_view event_slot_name(size_t slot);

struct EventCost {
  uint64_t count = 0;
  uint64_t cycles = 0;  // guest plus hypervisor cycles charged for these events (priced)
};

// Whose work a charge is: the guest kernel's or the hypervisor's.
enum class Account : uint8_t { kGuest, kHypervisor };

// What a scheme's simulation charged, as counts of priced primitives (common/cost_ledger.h),
// kept by where the cycles go; SchemeStats::price turns it into cycles.
struct SchemeLedger {
  CostRow guest, hypervisor;
  CostRow pt_alloc;  // page-table page allocation and free (part of guest + hypervisor)
  std::array<CostRow, kEventSlots> events{};
  std::array<CostRow, kExitReasons> exits{};
  bool operator==(const SchemeLedger&) const = default;
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
  uint64_t vm_exits = 0;
  uint64_t hypercalls = 0;
  uint64_t data_cycles = 0;  // data accesses through the cache model
  uint64_t base_cycles = 0;  // non-memory work
  std::array<uint64_t, kExitReasons> exits_by_reason{};
  uint64_t iotlb_flushes = 0;
  std::array<EventCost, kEventSlots> events{};  // counts; cycles are priced
  std::map<std::string, double> details;        // scheme-specific figures
  SchemeLedger ledger;

  // Priced from the ledger by price(): guest kernel work (fault handlers, page-table writes),
  // hypervisor work, and the page-table share of both.
  uint64_t guest_cycles = 0;
  uint64_t hypervisor_cycles = 0;
  uint64_t pt_alloc_cycles = 0;
  std::array<uint64_t, kExitReasons> exit_cycles_by_reason{};  // exit round trips plus handlers

  uint64_t total_cycles() const {
    return base_cycles + data_cycles + tlb_hit_cycles + walk_cycles + guest_cycles + hypervisor_cycles;
  }
  // Time spent translating addresses: second-level TLB hits, walks, hypervisor work.
  uint64_t translation_cycles() const { return tlb_hit_cycles + walk_cycles + hypervisor_cycles; }

  // Prices the ledger with `costs`, filling every priced figure.
  void price(const CostTable& costs) {
    guest_cycles = ledger.guest.price(costs);
    hypervisor_cycles = ledger.hypervisor.price(costs);
    pt_alloc_cycles = ledger.pt_alloc.price(costs);
    for (size_t s = 0; s < kEventSlots; ++s) events[s].cycles = ledger.events[s].price(costs);
    for (size_t r = 0; r < kExitReasons; ++r) exit_cycles_by_reason[r] = ledger.exits[r].price(costs);
  }

  // Charges `n` of primitive `c` to `a`, and to the event being handled (if any).
  void charge(Account a, Cost c, uint64_t n = 1) { add(a, static_cast<size_t>(c), n); }
  // Charges cycles that no costs.* key prices (software walks, a scheme's own costs).
  void charge_cycles(Account a, uint64_t cycles) { add(a, kFixedColumn, cycles); }
  // One VM exit: the round trip, the handler `handler` and `extra` cycles of other handler work.
  void exit(ExitReason r, Cost handler, uint64_t extra = 0) {
    count_exit(r);
    add_exit(r, static_cast<size_t>(Cost::kVmExit), 1);
    add_exit(r, static_cast<size_t>(handler), 1);
    if (extra) add_exit(r, kFixedColumn, extra);
  }
  // One VM exit whose handler no costs.* key prices.
  void exit_cycles(ExitReason r, uint64_t handler_cycles) {
    count_exit(r);
    add_exit(r, static_cast<size_t>(Cost::kVmExit), 1);
    add_exit(r, kFixedColumn, handler_cycles);
  }

  // Charges made while an event is open are also that event's (per-operation costs); charges
  // made while pt_alloc is open are also page-table allocation work.
  static constexpr uint8_t kNoSlot = 0xff;
  uint8_t open_slot = kNoSlot;
  bool pt_alloc_open = false;

 private:
  void add(Account a, size_t column, uint64_t n) {
    (a == Account::kGuest ? ledger.guest : ledger.hypervisor).n[column] += n;
    if (open_slot != kNoSlot) ledger.events[open_slot].n[column] += n;
    if (pt_alloc_open) ledger.pt_alloc.n[column] += n;
  }
  void add_exit(ExitReason r, size_t column, uint64_t n) {
    add(Account::kHypervisor, column, n);
    ledger.exits[static_cast<size_t>(r)].n[column] += n;
  }
  void count_exit(ExitReason r) {
    ++vm_exits;
    ++exits_by_reason[static_cast<size_t>(r)];
  }
};

// Marks the charges made in its scope as page-table allocation work too.
class PtAllocScope {
 public:
  explicit PtAllocScope(SchemeStats& s) : s_(s), was_(s.pt_alloc_open) { s.pt_alloc_open = true; }
  ~PtAllocScope() { s_.pt_alloc_open = was_; }
  PtAllocScope(const PtAllocScope&) = delete;
  PtAllocScope& operator=(const PtAllocScope&) = delete;

 private:
  SchemeStats& s_;
  bool was_;
};

}  // namespace hvsim
