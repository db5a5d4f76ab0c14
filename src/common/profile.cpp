#include "common/profile.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "common/error.h"
#include "common/units.h"
#include "profiles_embedded.h"

namespace hvsim {
namespace {

// One settable key: how to set it from text, and its documentation.
struct KeySpec {
  std::string key;
  std::string doc;
  std::function<void(Profile&, const std::string&)> set;
};

// Decimal only: "010" is ten (not octal eight), as in every other option.
uint64_t to_u64(const std::string& key, const std::string& v, uint64_t lo, uint64_t hi) {
  uint64_t n = 0;
  if (!parse_decimal_u64(v, n) || n < lo || n > hi)
    throw InputError(
        fmt::format("{}: '{}' is not valid; expected a decimal integer from {} to {}", key, v, lo, hi));
  return n;
}

std::vector<KeySpec> make_specs() {
  std::vector<KeySpec> s;
  auto u32 = [&s](std::string key, std::string doc, auto member, uint64_t lo = 0, uint64_t hi = 1u << 30) {
    s.push_back({key, doc, [=](Profile& p, const std::string& v) {
                   member(p) = static_cast<uint32_t>(to_u64(key, v, lo, hi));
                 }});
  };
  auto size = [&s](std::string key, std::string doc, auto member) {
    s.push_back(
        {key, doc, [=](Profile& p, const std::string& v) { member(p) = v == "0" ? 0 : parse_size(v, key); }});
  };
  auto flag = [&s](std::string key, std::string doc, auto member) {
    s.push_back({key, doc, [=](Profile& p, const std::string& v) {
                   if (v == "true" || v == "1")
                     member(p) = true;
                   else if (v == "false" || v == "0")
                     member(p) = false;
                   else
                     throw InputError(fmt::format("{}: '{}' is not valid; expected true or false", key, v));
                 }});
  };
  s.push_back(
      {"core.frequency_ghz", "core clock, for converting cycles to time",
       [](Profile& p, const std::string& v) {
         double f = 0;
         try {
           size_t pos;
           f = std::stod(v, &pos);
           if (pos != v.size()) f = 0;
         } catch (const std::exception&) {
         }
         if (!(f > 0.05 && f < 20))
           throw InputError(fmt::format(
               "core.frequency_ghz: '{}' is not valid; expected a number of GHz between 0.05 and 20", v));
         p.frequency_ghz = f;
       }});
  u32(
      "core.base_cycles_per_access", "cycles of non-memory work per access",
      [](Profile & p) -> auto& { return p.base_cycles_per_access; });

  const char* size_names[] = {"4k", "2m", "1g"};
  for (int i = 0; i < kPageSizeCount; ++i) {
    u32(
        fmt::format("tlb.l1_{}_entries", size_names[i]),
        "L1 DTLB entries for this page size (0 = none)", [i](Profile & p) -> auto& {
          return p.tlb.l1[i].entries;
        });
    u32(
        fmt::format("tlb.l1_{}_ways", size_names[i]),
        "L1 DTLB associativity (= entries: fully associative)", [i](Profile & p) -> auto& {
          return p.tlb.l1[i].ways;
        });
  }
  u32(
      "tlb.l2_entries", "second-level TLB entries (4K and 2M pages)",
      [](Profile & p) -> auto& { return p.tlb.l2.entries; });
  u32(
      "tlb.l2_ways", "second-level TLB associativity", [](Profile & p) -> auto& { return p.tlb.l2.ways; });
  u32(
      "tlb.l2_1g_entries", "second-level TLB entries for 1G pages",
      [](Profile & p) -> auto& { return p.tlb.l2_1g.entries; });
  u32(
      "tlb.l2_1g_ways", "associativity of the 1G second-level TLB",
      [](Profile & p) -> auto& { return p.tlb.l2_1g.ways; });
  u32(
      "tlb.l2_hit_cycles", "cycles of an L1 miss that hits the second-level TLB",
      [](Profile & p) -> auto& { return p.tlb.l2_hit_cycles; });

  for (const char* sec : {"pwc", "host_pwc"}) {
    bool host = std::string(sec) == "host_pwc";
    auto cfg = [host](Profile& p) -> WalkCacheConfig& { return host ? p.host_pwc : p.pwc; };
    const char* lvl[] = {"", "", "pde", "pdpte", "pml4e", "pml5e"};
    for (int l = 2; l <= 5; ++l)
      u32(
          fmt::format("{}.{}_entries", sec, lvl[l]),
          fmt::format("{}page-walk cache entries for level-{} entries (0 = none)",
                      host ? "host-dimension " : "", l),
          [ cfg, l ](Profile & p) -> auto& { return cfg(p).entries[l]; });
    u32(
        fmt::format("{}.ways", sec),
        "page-walk cache associativity", [cfg](Profile & p) -> auto& { return cfg(p).ways; }, 1);
    u32(
        fmt::format("{}.hit_cycles", sec),
        "cycles of a page-walk cache hit", [cfg](Profile & p) -> auto& { return cfg(p).hit_cycles; });
  }
  u32(
      "nested_tlb.entries", "nested TLB entries caching gPA->hPA in 2D walks (0 = none)",
      [](Profile & p) -> auto& { return p.nested_tlb_entries; });
  u32(
      "nested_tlb.ways", "nested TLB associativity", [](Profile & p) -> auto& { return p.nested_tlb_ways; },
      1);

  struct Lvl {
    const char* name;
    CacheLevelConfig CacheHierarchyConfig::*member;
  };
  for (Lvl c : {Lvl{"l1", &CacheHierarchyConfig::l1}, Lvl{"l2", &CacheHierarchyConfig::l2},
                Lvl{"llc", &CacheHierarchyConfig::llc}}) {
    size(
        fmt::format("cache.{}_size", c.name),
        "capacity (0 = level absent)", [c](Profile & p) -> auto& { return (p.cache.*c.member).size_bytes; });
    u32(
        fmt::format("cache.{}_ways", c.name),
        "associativity", [c](Profile & p) -> auto& { return (p.cache.*c.member).ways; }, 1);
    u32(
        fmt::format("cache.{}_cycles", c.name), "load-to-use latency of a hit", [c](Profile & p) -> auto& {
          return (p.cache.*c.member).latency_cycles;
        });
  }
  u32(
      "cache.dram_cycles", "latency of a reference that misses every cache",
      [](Profile & p) -> auto& { return p.cache.dram_cycles; });
  u32(
      "cache.line_bytes", "cache line size", [](Profile & p) -> auto& { return p.cache.line_bytes; }, 8,
      4096);
  flag(
      "cache.data_accesses",
      "data accesses also go through the cache model (and compete with page-table entries)",
      [](Profile & p) -> auto& { return p.cache_data_accesses; });

  s.push_back({"paging.guest_levels", "levels of guest (and native) page tables: 4 or 5",
               [](Profile& p, const std::string& v) {
                 p.guest_levels = static_cast<int>(to_u64("paging.guest_levels", v, 4, 5));
               }});
  s.push_back({"paging.host_levels", "levels of host (EPT) page tables: 4 or 5",
               [](Profile& p, const std::string& v) {
                 p.host_levels = static_cast<int>(to_u64("paging.host_levels", v, 4, 5));
               }});
  s.push_back(
      {"guest.page_size", "guest page-size policy: 4K, 2M, 1G or thp (2M where a 2M-aligned range fits)",
       [](Profile& p, const std::string& v) {
         std::string l;
         for (char c : v) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
         if (l == "4k")
           p.guest_page_size = GuestPagePolicy::k4K;
         else if (l == "2m")
           p.guest_page_size = GuestPagePolicy::k2M;
         else if (l == "1g")
           p.guest_page_size = GuestPagePolicy::k1G;
         else if (l == "thp")
           p.guest_page_size = GuestPagePolicy::kThp;
         else
           throw InputError(fmt::format("guest.page_size: '{}' is not valid; expected 4K, 2M, 1G or thp", v));
       }});
  s.push_back({"host.page_size", "host (EPT) page size: 4K, 2M or 1G", [](Profile& p, const std::string& v) {
                 std::string l;
                 for (char c : v) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                 if (l == "4k")
                   p.host_page_size = PageSize::k4K;
                 else if (l == "2m")
                   p.host_page_size = PageSize::k2M;
                 else if (l == "1g")
                   p.host_page_size = PageSize::k1G;
                 else
                   throw InputError(
                       fmt::format("host.page_size: '{}' is not valid; expected 4K, 2M or 1G", v));
               }});
  size(
      "guest.memory", "guest-physical memory (0 = footprint plus room for page tables)",
      [](Profile & p) -> auto& { return p.guest_memory; });
  size(
      "host.memory", "host-physical memory (0 = guest memory plus room for host tables)",
      [](Profile & p) -> auto& { return p.host_memory; });
  s.push_back({"host.populate",
               "when the host maps guest memory: lazy (EPT violation on first touch) or eager (at VM start)",
               [](Profile& p, const std::string& v) {
                 if (v == "lazy")
                   p.host_populate_eager = false;
                 else if (v == "eager")
                   p.host_populate_eager = true;
                 else
                   throw InputError(
                       fmt::format("host.populate: '{}' is not valid; expected lazy or eager", v));
               }});

  s.push_back({"host.backing",
               "how the host backs guest memory: pages (allocated page by page) or segments (contiguous host "
               "ranges, see host.segments)",
               [](Profile& p, const std::string& v) {
                 if (v == "pages")
                   p.host_segment_backing = false;
                 else if (v == "segments")
                   p.host_segment_backing = true;
                 else
                   throw InputError(
                       fmt::format("host.backing: '{}' is not valid; expected pages or segments", v));
               }});
  s.push_back(
      {"host.segments",
       "with host.backing = segments: a count of equal segments covering guest memory (e.g. 2), or a list of "
       "sizes from guest-physical 0 (e.g. \"1GiB,512MiB\"; memory past them is backed by pages)",
       [](Profile& p, const std::string& v) {
         bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
         p.host_segment_sizes.clear();
         if (digits) {
           p.host_segment_count = static_cast<uint32_t>(to_u64("host.segments", v, 1, 64));
           return;
         }
         size_t start = 0;
         while (start <= v.size()) {
           size_t comma = v.find(',', start);
           std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
           while (!item.empty() && item.front() == ' ') item.erase(item.begin());
           while (!item.empty() && item.back() == ' ') item.pop_back();
           uint64_t b = parse_size(item, "host.segments");
           if (b == 0 || b % (2 * kMiB) != 0)
             throw InputError(fmt::format(
                 "host.segments: '{}' is not valid; expected sizes that are non-zero multiples of 2MiB",
                 item));
           p.host_segment_sizes.push_back(b);
           if (comma == std::string::npos) break;
           start = comma + 1;
         }
         if (p.host_segment_sizes.size() > 64) throw InputError("host.segments: at most 64 segments");
       }});
  flag(
      "guest.direct_segment",
      "back each process's primary region (its first mmap) with contiguous guest-physical memory",
      [](Profile & p) -> auto& { return p.guest_direct_segment; });

  for (size_t i = 0; i < kCostCount; ++i) {
    const CostInfo& c = cost_info(static_cast<Cost>(i));
    u32(
        fmt::format("costs.{}", c.key),
        std::string(c.doc), [i](Profile & p) -> auto& { return p.costs.cycles[i]; }, 0, kMaxCostCycles);
  }
  return s;
}

const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> s = make_specs();
  return s;
}

const std::map<std::string, std::string>& builtin_profiles() {
  static const std::map<std::string, std::string> m = {{"default", kProfileDefault}, {"bare", kProfileBare}};
  return m;
}

// Sections holding core keys; anything else is an extras section (a scheme's or the workload's).
bool is_core_section(const std::string& section) {
  for (const auto& k : specs())
    if (k.key.compare(0, section.size() + 1, section + ".") == 0) return true;
  return false;
}

void set_key(Profile& p, const std::string& key, const std::string& value, const std::string& where) {
  for (const auto& k : specs()) {
    if (k.key == key) {
      try {
        k.set(p, value);
      } catch (const InputError& e) {
        throw InputError(where.empty() ? e.what() : where + ": " + e.what());
      }
      return;
    }
  }
  auto dot = key.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
    throw InputError(fmt::format("{}{}unknown key '{}'; expected section.key (see `hvsim profile keys`)",
                                 where, where.empty() ? "" : ": ", key));
  if (is_core_section(key.substr(0, dot)))
    throw InputError(
        fmt::format("{}{}unknown key '{}'; section '{}' has no such key (see `hvsim profile keys`)", where,
                    where.empty() ? "" : ": ", key, key.substr(0, dot)));
  p.extras[key] = value;
}

std::string node_text(const toml::node& n) {
  if (auto v = n.as_string()) return v->get();
  if (auto v = n.as_integer()) return std::to_string(v->get());
  if (auto v = n.as_floating_point()) return fmt::format("{}", v->get());
  if (auto v = n.as_boolean()) return v->get() ? "true" : "false";
  return {};
}

}  // namespace

Profile parse_profile(const std::string& text, const std::string& origin) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}: {}", origin, e.source().begin.line, e.description()));
  }
  Profile p;
  p.origin = origin;
  for (auto&& [sec, node] : tbl) {
    std::string section(sec.str());
    if (section == "profile") {
      if (auto t = node.as_table())
        if (auto n = (*t)["name"].value<std::string>()) p.name = *n;
      continue;
    }
    auto* t = node.as_table();
    if (!t)
      throw InputError(
          fmt::format("{}:{}: '{}' should be a [section]", origin, node.source().begin.line, section));
    for (auto&& [k, v] : *t) {
      std::string key = section + "." + std::string(k.str());
      std::string value = node_text(v);
      std::string where = fmt::format("{}:{}", origin, v.source().begin.line);
      if (value.empty() && !v.is_string())
        throw InputError(fmt::format("{}: '{}' should be a number, boolean or string", where, key));
      set_key(p, key, value, where);
    }
  }
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

void apply_setting(Profile& p, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(fmt::format("--set '{}': expected key=value, e.g. paging.guest_levels=5", assignment));
  set_key(p, assignment.substr(0, eq), assignment.substr(eq + 1), "--set");
}

namespace {

// One set-associative structure of the profile, with the keys that size it.
struct Geometry {
  std::string entries_key, ways_key;
  uint32_t entries, ways;
};

std::vector<Geometry> set_assoc_geometry(const Profile& p) {
  std::vector<Geometry> g;
  const char* size_names[] = {"4k", "2m", "1g"};
  for (int i = 0; i < kPageSizeCount; ++i)
    g.push_back({fmt::format("tlb.l1_{}_entries", size_names[i]),
                 fmt::format("tlb.l1_{}_ways", size_names[i]), p.tlb.l1[i].entries, p.tlb.l1[i].ways});
  g.push_back({"tlb.l2_entries", "tlb.l2_ways", p.tlb.l2.entries, p.tlb.l2.ways});
  g.push_back({"tlb.l2_1g_entries", "tlb.l2_1g_ways", p.tlb.l2_1g.entries, p.tlb.l2_1g.ways});
  const char* lvl[] = {"", "", "pde", "pdpte", "pml4e", "pml5e"};
  for (const char* sec : {"pwc", "host_pwc"}) {
    const WalkCacheConfig& c = std::string(sec) == "pwc" ? p.pwc : p.host_pwc;
    for (int l = 2; l <= 5; ++l)
      g.push_back(
          {fmt::format("{}.{}_entries", sec, lvl[l]), fmt::format("{}.ways", sec), c.entries[l], c.ways});
  }
  g.push_back({"nested_tlb.entries", "nested_tlb.ways", p.nested_tlb_entries, p.nested_tlb_ways});
  return g;
}

struct CacheGeometry {
  const char* name;
  const CacheLevelConfig& level;
};

// What CacheTags::configure allocates for one level: 4-byte tags, each set padded to whole
// 4-tag vectors with a spare slot.
uint64_t cache_tag_bytes(const CacheLevelConfig& c, uint32_t line_bytes) {
  if (c.size_bytes == 0 || line_bytes == 0 || c.ways == 0) return 0;
  uint64_t sets = c.size_bytes / line_bytes / c.ways;
  return sets * ((c.ways + 1 + 3) & ~uint64_t{3}) * 4;
}

}  // namespace

void validate_profile(const Profile& p) {
  for (const Geometry& g : set_assoc_geometry(p)) {
    if (g.entries == 0) continue;
    // As SetAssoc reads it: no ways, or more ways than entries, is one fully associative set.
    const uint32_t ways = g.ways == 0 || g.ways > g.entries ? g.entries : g.ways;
    if (g.entries % ways == 0) continue;
    const uint32_t below = g.entries / ways * ways;
    throw InputError(fmt::format(
        "{}: {} entries are not whole sets of {} = {}; expected a multiple of {}, e.g. {}{}", g.entries_key,
        g.entries, g.ways_key, ways, ways, below ? fmt::format("{} or ", below) : "", below + ways));
  }

  const uint32_t line = p.cache.line_bytes;
  if (line < 8 || line > 4096 || (line & (line - 1)) != 0)
    throw InputError(
        fmt::format("cache.line_bytes: '{}' is not valid; expected a power of two from 8 to 4096 (lines are "
                    "found by address bits)",
                    line));
  for (CacheGeometry c : {CacheGeometry{"l1", p.cache.l1}, CacheGeometry{"l2", p.cache.l2},
                          CacheGeometry{"llc", p.cache.llc}}) {
    const uint64_t size = c.level.size_bytes;
    const uint32_t ways = c.level.ways;
    if (size == 0) continue;
    const std::string key = fmt::format("cache.{}_size", c.name);
    if (size % line != 0)
      throw InputError(
          fmt::format("{}: {} is not a whole number of {}-byte lines (cache.line_bytes); expected a "
                      "multiple of {}",
                      key, format_size(size), line, line));
    const uint64_t lines = size / line;
    if (ways == 0 || ways > lines)
      throw InputError(fmt::format("cache.{}_ways: {} is not valid for {} of {}-byte lines; expected 1 to {}",
                                   c.name, ways, format_size(size), line, lines));
    const uint64_t sets = lines / ways;
    if (lines % ways == 0 && (sets & (sets - 1)) == 0) continue;
    // Real caches index sets by address bits, and so does the model: the sets must be a power
    // of two. Suggest the sizes on either side with the same ways and line size.
    uint64_t lo = 1;
    while (lo * 2 <= sets) lo *= 2;
    const uint64_t lo_bytes = lo * ways * line;
    throw InputError(
        fmt::format("{}: {} is {:.2f} sets of {} ways (cache.{}_ways) of {} bytes; expected a power-of-two "
                    "number of sets, "
                    "e.g. {} or {}",
                    key, format_size(size), static_cast<double>(lines) / ways, ways, c.name, line,
                    format_size(lo_bytes), format_size(2 * lo_bytes)));
  }

  for (auto [key, bytes] : {std::pair<const char*, uint64_t>{"guest.memory", p.guest_memory},
                            std::pair<const char*, uint64_t>{"host.memory", p.host_memory}})
    if (bytes % 4096 != 0)
      throw InputError(
          fmt::format("{}: {} is not a whole number of 4KiB pages; expected a multiple of 4KiB (or 0)", key,
                      format_size(bytes)));
}

std::vector<std::pair<std::string, uint64_t>> profile_structure_bytes(const Profile& p) {
  std::vector<std::pair<std::string, uint64_t>> out;
  // A SetAssoc entry: 8-byte key, 8-byte payload (every TLB, walk cache and nested TLB), and
  // a 4-byte head per set.
  for (const Geometry& g : set_assoc_geometry(p))
    if (g.entries)
      out.emplace_back(fmt::format("{}={}", g.entries_key, g.entries),
                       uint64_t{g.entries} * 16 + 4 * uint64_t{g.entries} / std::max(1u, g.ways));
  for (CacheGeometry c :
       {CacheGeometry{"l1", p.cache.l1}, CacheGeometry{"l2", p.cache.l2}, CacheGeometry{"llc", p.cache.llc}})
    if (uint64_t b = cache_tag_bytes(c.level, p.cache.line_bytes))
      out.emplace_back(fmt::format("cache.{}_size={}", c.name, format_size(c.level.size_bytes)), b);
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second > b.second; });
  return out;
}

std::vector<std::string> builtin_profile_names() {
  std::vector<std::string> v;
  for (auto& [n, _] : builtin_profiles()) v.push_back(n);
  return v;
}

std::vector<std::pair<std::string, std::string>> profile_key_docs() {
  std::vector<std::pair<std::string, std::string>> v;
  for (auto& k : specs()) v.emplace_back(k.key, k.doc);
  return v;
}

}  // namespace hvsim
