#include "common/profile.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/error.h"
#include "common/units.h"
#include "profiles_embedded.h"

namespace hvsim {

HVSIM_CONFIG_SECTION(CoreConfig, "core", 10, "the simulated core") {
  s.number("frequency_ghz", &CoreConfig::frequency_ghz, 0.05, 20, true)
      .unit("GHz")
      .doc("core clock, for converting cycles to time");
  s.integer("base_cycles_per_access", &CoreConfig::base_cycles_per_access, 0, 1u << 30)
      .unit("cycles")
      .doc("cycles of non-memory work per access");
}

namespace {

// [profile] and [costs] live in the Profile itself, beside its slots.
void* profile_info(Config& c) { return static_cast<ProfileInfo*>(&static_cast<Profile&>(c)); }
void* profile_costs(Config& c) { return static_cast<CostFields*>(&static_cast<Profile&>(c)); }

void profile_keys(SectionDecl<ProfileInfo>& s) {
  s.text("name", &ProfileInfo::name).doc("the profile's name in reports (default: the file's name)");
}

struct CostKey {
  const char* name;
  uint32_t CostFields::*member;
  const char* doc;
};

// Every [costs] key: one list, to become a table indexed by cost.
constexpr CostKey kCostKeys[] = {
    {"guest_page_fault_cycles", &CostFields::guest_page_fault_cycles,
     "guest kernel page-fault handler (native cost of a fault)"},
    {"vm_exit_cycles", &CostFields::vm_exit_cycles,
     "round trip of a VM exit and entry with a trivial handler"},
    {"hypercall_cycles", &CostFields::hypercall_cycles, "round trip of a null hypercall"},
    {"interrupt_injection_cycles", &CostFields::interrupt_injection_cycles,
     "injecting a virtual interrupt or exception into the guest"},
    {"ept_violation_cycles", &CostFields::ept_violation_cycles,
     "host handler of an EPT violation (allocate and map), on top of the exit"},
    {"shadow_pte_write_cycles", &CostFields::shadow_pte_write_cycles,
     "hypervisor emulation of a trapped guest page-table write and shadow resync, on top of the exit"},
    {"shadow_fill_cycles", &CostFields::shadow_fill_cycles,
     "hypervisor handler of a hidden (shadow-miss) fault, on top of the exit and its software walk"},
    {"pte_write_cycles", &CostFields::pte_write_cycles, "guest kernel writes one page-table entry"},
    {"pt_page_alloc_cycles", &CostFields::pt_page_alloc_cycles,
     "guest kernel allocates and zeroes a page-table page"},
    {"pt_page_free_cycles", &CostFields::pt_page_free_cycles, "guest kernel frees a page-table page"},
    {"page_free_cycles", &CostFields::page_free_cycles, "guest kernel frees a data page"},
    {"page_copy_cycles", &CostFields::page_copy_cycles, "copy-on-write: allocate and copy a 4 KiB page"},
    {"fork_cycles", &CostFields::fork_cycles, "process creation work besides page tables"},
    {"exit_cycles", &CostFields::exit_cycles, "process teardown work besides page tables"},
    {"exec_cycles", &CostFields::exec_cycles, "exec work besides page tables"},
    {"mmap_cycles", &CostFields::mmap_cycles,
     "an mmap/munmap/mprotect/madvise system call besides page tables"},
    {"context_switch_cycles", &CostFields::context_switch_cycles,
     "guest kernel context switch besides the CR3 write"},
    {"invlpg_cycles", &CostFields::invlpg_cycles, "invalidate one page's TLB entry"},
    {"tlb_flush_cycles", &CostFields::tlb_flush_cycles, "flush one address space's TLB entries"},
    {"ipi_cycles", &CostFields::ipi_cycles, "send and handle a TLB-shootdown IPI on bare metal"},
    {"virtual_ipi_cycles", &CostFields::virtual_ipi_cycles, "the same IPI inside a VM (exits and injection)"},
    {"iommu_map_cycles", &CostFields::iommu_map_cycles, "program one IOMMU mapping for DMA"},
    {"iotlb_flush_cycles", &CostFields::iotlb_flush_cycles, "invalidate the IOTLB and wait for completion"},
    {"cr3_write_cycles", &CostFields::cr3_write_cycles,
     "hypervisor handler of a trapped CR3 write under shadow paging, on top of the exit"},
};

void cost_keys(SectionDecl<CostFields>& s) {
  for (const CostKey& c : kCostKeys) s.integer(c.name, c.member, 0, 1u << 30).unit("cycles").doc(c.doc);
}

[[maybe_unused]] const bool kProfileSections =
    ConfigRegistry::instance().declare<ProfileInfo>("profile", 0, "the profile itself", &profile_keys,
                                                    &profile_info) &&
    ConfigRegistry::instance().declare<CostFields>(
        "costs", 90, "primitive costs of the machine, its hypervisor and the guest kernel", &cost_keys,
        &profile_costs);

const std::map<std::string, std::string>& builtin_profiles() {
  static const std::map<std::string, std::string> m = {{"default", kProfileDefault}, {"bare", kProfileBare}};
  return m;
}

}  // namespace

Profile parse_profile(const std::string& text, const std::string& origin) {
  Profile p;
  p.origin = origin;
  p.read_toml(text, origin);
  return p;
}

Profile load_profile(const std::string& name_or_path) {
  auto& builtins = builtin_profiles();
  if (auto it = builtins.find(name_or_path); it != builtins.end()) {
    Profile p = parse_profile(it->second, "profile '" + name_or_path + "'");
    p.name = name_or_path;
    p.origin = "built-in";
    return p;
  }
  namespace fs = std::filesystem;
  if (!fs::exists(name_or_path)) {
    std::string names;
    for (auto& [n, _] : builtins) names += (names.empty() ? "" : ", ") + n;
    throw InputError(fmt::format(
        "profile '{}': no such built-in profile or file; expected one of {} or a path to a .toml file",
        name_or_path, names));
  }
  std::ifstream in(name_or_path, std::ios::binary);
  if (!in || fs::is_directory(name_or_path))
    throw InputError(fmt::format("{}: cannot read profile file", name_or_path));
  // Read at most one byte past the limit: a device such as /dev/zero never ends.
  std::string text(kMaxProfileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw InputError(fmt::format("{}: cannot read profile file", name_or_path));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxProfileBytes)
    throw InputError(fmt::format("{}: the profile is larger than {}; expected a TOML profile file",
                                 name_or_path, format_size(kMaxProfileBytes)));
  Profile p = parse_profile(text, name_or_path);
  if (p.name == "builtin") p.name = fs::path(name_or_path).stem().string();
  return p;
}

void apply_setting(Profile& p, const std::string& assignment) { p.apply(assignment); }

void validate_profile(const Profile& p) { p.validate(); }

StructureSizes profile_structure_bytes(const Profile& p) { return p.structure_bytes(); }

std::vector<std::string> builtin_profile_names() {
  std::vector<std::string> v;
  for (auto& [n, _] : builtin_profiles()) v.push_back(n);
  return v;
}

}  // namespace hvsim
