// The primitive costs of a machine ([costs] in a profile): the price of each thing the guest
// kernel, the hypervisor and the hardware do that is not a function of simulated state. Schemes
// and the machine count these primitives while simulating (common/cost_ledger.h); a result is
// priced from the counts afterwards, so it can be re-priced without simulating again.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hvsim {

enum class Cost : uint8_t {
  kGuestPageFault,      // guest kernel page-fault handler
  kVmExit,              // VM exit and entry round trip
  kHypercall,           // null hypercall round trip
  kInterruptInjection,  // virtual interrupt or exception injected into the guest
  kEptViolation,        // host handler of an EPT violation, on top of the exit
  kShadowPteWrite,      // emulating a trapped guest page-table write, on top of the exit
  kShadowFill,          // hidden-fault handler, on top of the exit and its software walk
  kPteWrite,            // guest kernel writes one page-table entry
  kPtPageAlloc,         // allocate and zero a page-table page
  kPtPageFree,
  kPageFree,  // free one data page
  kPageCopy,  // copy-on-write: allocate and copy a 4 KiB page
  kFork,
  kExit,
  kExec,
  kMmap,  // mmap/munmap/mprotect/madvise/brk system call
  kContextSwitch,
  kInvlpg,
  kTlbFlush,
  kIpi,         // TLB-shootdown IPI on bare metal
  kVirtualIpi,  // the same IPI in a VM
  kIommuMap,
  kIotlbFlush,
  kCr3Write,  // trapped CR3 write under shadow paging, on top of the exit
  kCount
};

inline constexpr size_t kCostCount = static_cast<size_t>(Cost::kCount);

struct CostInfo {
  std::string_view key;  // within [costs]: "vm_exit_cycles"
  std::string_view doc;
};

const CostInfo& cost_info(Cost c);
inline std::string_view cost_key(Cost c) { return cost_info(c).key; }
// The cost named `key` ("vm_exit_cycles" or "costs.vm_exit_cycles"), if there is one.
std::optional<Cost> find_cost(std::string_view key);

// Every cost is an integer number of cycles in this range (the profile parser checks it).
inline constexpr uint32_t kMaxCostCycles = uint32_t{1} << 30;

// One machine's price of every primitive, in cycles.
struct CostTable {
  std::array<uint32_t, kCostCount> cycles{};
  uint32_t operator[](Cost c) const { return cycles[static_cast<size_t>(c)]; }
  uint32_t& operator[](Cost c) { return cycles[static_cast<size_t>(c)]; }
  bool operator==(const CostTable&) const = default;
};

}  // namespace hvsim
