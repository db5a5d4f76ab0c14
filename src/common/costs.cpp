#include "common/costs.h"

namespace hvsim {
namespace {

constexpr std::array<CostInfo, kCostCount> kCosts = {{
    {"guest_page_fault_cycles", "guest kernel page-fault handler (native cost of a fault)"},
    {"vm_exit_cycles", "round trip of a VM exit and entry with a trivial handler"},
    {"hypercall_cycles", "round trip of a null hypercall"},
    {"interrupt_injection_cycles", "injecting a virtual interrupt or exception into the guest"},
    {"ept_violation_cycles", "host handler of an EPT violation (allocate and map), on top of the exit"},
    {"shadow_pte_write_cycles",
     "hypervisor emulation of a trapped guest page-table write and shadow resync, on top of the exit"},
    {"shadow_fill_cycles",
     "hypervisor handler of a hidden (shadow-miss) fault, on top of the exit and its software walk"},
    {"pte_write_cycles", "guest kernel writes one page-table entry"},
    {"pt_page_alloc_cycles", "guest kernel allocates and zeroes a page-table page"},
    {"pt_page_free_cycles", "guest kernel frees a page-table page"},
    {"page_free_cycles", "guest kernel frees a data page"},
    {"page_copy_cycles", "copy-on-write: allocate and copy a 4 KiB page"},
    {"fork_cycles", "process creation work besides page tables"},
    {"exit_cycles", "process teardown work besides page tables"},
    {"exec_cycles", "exec work besides page tables"},
    {"mmap_cycles", "an mmap/munmap/mprotect/madvise system call besides page tables"},
    {"context_switch_cycles", "guest kernel context switch besides the CR3 write"},
    {"invlpg_cycles", "invalidate one page's TLB entry"},
    {"tlb_flush_cycles", "flush one address space's TLB entries"},
    {"ipi_cycles", "send and handle a TLB-shootdown IPI on bare metal"},
    {"virtual_ipi_cycles", "the same IPI inside a VM (exits and injection)"},
    {"iommu_map_cycles", "program one IOMMU mapping for DMA"},
    {"iotlb_flush_cycles", "invalidate the IOTLB and wait for completion"},
    {"cr3_write_cycles", "hypervisor handler of a trapped CR3 write under shadow paging, on top of the exit"},
}};

}  // namespace

const CostInfo& cost_info(Cost c) { return kCosts[static_cast<size_t>(c)]; }

std::optional<Cost> find_cost(std::string_view key) {
  constexpr std::string_view prefix = "costs.";
  if (key.starts_with(prefix)) key.remove_prefix(prefix.size());
  for (size_t i = 0; i < kCostCount; ++i)
    if (kCosts[i].key == key) return static_cast<Cost>(i);
  return std::nullopt;
}

}  // namespace hvsim
