// A machine profile: TLB geometry, caches, paging depths and the primitive costs (exits,
// hypercalls, faults) of one machine, loaded from TOML. Results such as "a shadow fault costs N
// times a nested one" come out of the model, never from a profile.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/costs.h"
#include "common/geometry.h"
#include "common/page_size.h"

namespace hvsim {

enum class GuestPagePolicy : uint8_t { k4K, k2M, k1G, kThp };

struct Profile {
  std::string name = "builtin";
  std::string origin;  // file it was read from, or "built-in"

  // [core]
  double frequency_ghz = 2.5;
  uint32_t base_cycles_per_access = 1;  // non-memory work per access

  // [tlb], [pwc], [host_pwc], [nested_tlb], [cache]
  TlbConfig tlb;
  WalkCacheConfig pwc;       // native and guest dimension
  WalkCacheConfig host_pwc;  // host dimension of two-dimensional walks
  uint32_t nested_tlb_entries = 0, nested_tlb_ways = 4;
  CacheHierarchyConfig cache;
  bool cache_data_accesses = true;  // data accesses also go through the cache model

  // [paging], [guest], [host]
  int guest_levels = 4;
  int host_levels = 4;
  GuestPagePolicy guest_page_size = GuestPagePolicy::k4K;
  PageSize host_page_size = PageSize::k4K;
  uint64_t guest_memory = 0;  // bytes; 0 = sized from the workload
  uint64_t host_memory = 0;   // bytes; 0 = sized from the guest
  bool host_populate_eager = false;
  // Machine-wide memory layout choices, shared by every scheme so they all see the same
  // addresses. Host: back guest-physical memory with contiguous host ranges ((No)Compromis).
  // `host_segment_sizes` lists them from guest-physical 0 (guest memory past their sum is
  // backed by pages); when empty, `host_segment_count` equal segments cover all guest memory.
  bool host_segment_backing = false;
  uint32_t host_segment_count = 1;
  std::vector<uint64_t> host_segment_sizes;
  // Guest: back each process's primary region (its first mmap) with contiguous guest-physical
  // memory, as a direct-segment OS does (Basu et al., ISCA 2013).
  bool guest_direct_segment = false;

  // [costs]: the primitive costs, in cycles (common/costs.h)
  CostTable costs;

  // Keys of sections that belong to one scheme or to the workload (`[switching] window = …`,
  // `workload.scale=20`): kept as text and checked by their owner.
  std::map<std::string, std::string> extras;
  // Scheme sections whose scheme has checked its keys (check_scheme_keys, while constructing):
  // a key in the section of a scheme that checks none is unknown.
  mutable std::set<std::string> checked_sections;

  double cycles_to_us(double cycles) const { return cycles / (frequency_ghz * 1000.0); }
};

// Profile files are small; anything larger (or a device that never ends) is refused.
inline constexpr uint64_t kMaxProfileBytes = uint64_t{1} << 20;

// Loads a profile by name (a shipped preset: "default", "bare") or by path to a .toml file.
Profile load_profile(const std::string& name_or_path);
// Parses profile text; `origin` names it in error messages.
Profile parse_profile(const std::string& text, const std::string& origin);
// Applies `section.key=value`; throws InputError naming the key and what it expects.
void apply_setting(Profile& p, const std::string& assignment);
// Rejects TLB, page-walk-cache and cache geometry the model cannot represent exactly (entries
// that are not whole sets, a non-power-of-two line size or cache set count, memory that is not
// whole pages), naming the key and what it expects. Run once every setting is applied.
void validate_profile(const Profile& p);

// The profile's set-associative structures, largest first, with what one instance takes:
// {"tlb.l2_entries=1536", bytes}. Names the culprit when a configuration cannot fit in memory.
std::vector<std::pair<std::string, uint64_t>> profile_structure_bytes(const Profile& p);

std::vector<std::string> builtin_profile_names();
// Documentation of every core key: "section.key  meaning".
std::vector<std::pair<std::string, std::string>> profile_key_docs();

}  // namespace hvsim
