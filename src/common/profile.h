// A machine profile: every registered config section (TLB geometry, caches, paging depths, each
// scheme's keys…), loaded from TOML, plus the primitive costs (exits, hypercalls, faults) of one
// machine. Results such as "a shadow fault costs N times a nested one" come out of the model,
// never from a profile. Components take their own section: `profile.section<TlbConfig>()`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/config_registry.h"

namespace hvsim {

// [core]
struct CoreConfig {
  double frequency_ghz = 2.5;
  uint32_t base_cycles_per_access = 1;  // non-memory work per access
};

// [profile]: what the file calls itself.
struct ProfileInfo {
  std::string name = "builtin";
  std::string origin;  // file it was read from, or "built-in"
};

// [costs] in cycles, declared in profile.cpp by one list of {key, member, doc}.
struct CostFields {
  uint32_t guest_page_fault_cycles = 0;
  uint32_t vm_exit_cycles = 0;
  uint32_t hypercall_cycles = 0;
  uint32_t interrupt_injection_cycles = 0;
  uint32_t ept_violation_cycles = 0;
  uint32_t shadow_pte_write_cycles = 0;
  uint32_t shadow_fill_cycles = 0;
  uint32_t cr3_write_cycles = 0;
  // Guest kernel work for OS events (the same on every scheme; schemes add their own costs).
  uint32_t pte_write_cycles = 0;      // one page-table entry written
  uint32_t pt_page_alloc_cycles = 0;  // allocate and zero a page-table page
  uint32_t pt_page_free_cycles = 0;
  uint32_t page_free_cycles = 0;  // free one data page
  uint32_t page_copy_cycles = 0;  // copy-on-write: allocate and copy a 4 KiB page
  uint32_t fork_cycles = 0;       // process creation besides page tables
  uint32_t exit_cycles = 0;       // process teardown besides page tables
  uint32_t exec_cycles = 0;
  uint32_t mmap_cycles = 0;  // mmap/munmap/mprotect/madvise system call
  uint32_t context_switch_cycles = 0;
  uint32_t invlpg_cycles = 0;       // invalidate one page's translation
  uint32_t tlb_flush_cycles = 0;    // flush one address space's translations
  uint32_t ipi_cycles = 0;          // a TLB-shootdown IPI, native
  uint32_t virtual_ipi_cycles = 0;  // the same IPI in a VM
  uint32_t iommu_map_cycles = 0;    // program one IOMMU entry
  uint32_t iotlb_flush_cycles = 0;  // invalidate the IOTLB and wait for completion
};

struct Profile : Config, ProfileInfo, CostFields {
  double cycles_to_us(double cycles) const { return cycles / (section<CoreConfig>().frequency_ghz * 1000.0); }
};

// Profile files are small; anything larger (or a device that never ends) is refused.
inline constexpr uint64_t kMaxProfileBytes = uint64_t{1} << 20;

// Loads a profile by name (a shipped preset: "default", "bare") or by path to a .toml file.
Profile load_profile(const std::string& name_or_path);
// Parses profile text; `origin` names it in error messages.
Profile parse_profile(const std::string& text, const std::string& origin);
// Applies `section.key=value`; throws InputError naming the key and what it expects.
void apply_setting(Profile& p, const std::string& assignment);
// Rejects geometry the model cannot represent exactly (entries that are not whole sets, a
// non-power-of-two line size or cache set count, memory that is not whole pages), naming the
// key and what it expects: each section's own checks. Run once every setting is applied.
void validate_profile(const Profile& p);

// The profile's set-associative structures, largest first, with what one instance takes:
// {"tlb.l2_entries=1536", bytes}. Names the culprit when a configuration cannot fit in memory.
StructureSizes profile_structure_bytes(const Profile& p);

std::vector<std::string> builtin_profile_names();

}  // namespace hvsim
