#include "mem/cache_config.h"

#include <fmt/format.h>

#include "common/config_registry.h"
#include "common/error.h"
#include "common/units.h"

namespace hvsim {
namespace {

struct Level {
  const char* name;
  CacheLevelConfig CacheHierarchyConfig::*member;
};
constexpr Level kLevels[] = {{"l1", &CacheHierarchyConfig::l1},
                             {"l2", &CacheHierarchyConfig::l2},
                             {"llc", &CacheHierarchyConfig::llc}};

// Real caches index sets by address bits, and so does the model: whole lines, ways that fit,
// a power-of-two number of sets.
void check_level(const char* name, const CacheLevelConfig& c, uint32_t line) {
  const uint64_t size = c.size_bytes;
  if (size == 0) return;
  const std::string key = fmt::format("cache.{}_size", name);
  if (size % line != 0)
    throw InputError(fmt::format(
        "{}: {} is not a whole number of {}-byte lines (cache.line_bytes); expected a multiple of {}", key,
        format_size(size), line, line));
  const uint64_t lines = size / line;
  if (c.ways == 0 || c.ways > lines)
    throw InputError(fmt::format("cache.{}_ways: {} is not valid for {} of {}-byte lines; expected 1 to {}",
                                 name, c.ways, format_size(size), line, lines));
  const uint64_t sets = lines / c.ways;
  if (lines % c.ways == 0 && (sets & (sets - 1)) == 0) return;
  // Suggest the sizes on either side with the same ways and line size.
  uint64_t lo = 1;
  while (lo * 2 <= sets) lo *= 2;
  const uint64_t lo_bytes = lo * c.ways * line;
  throw InputError(fmt::format(
      "{}: {} is {:.2f} sets of {} ways (cache.{}_ways) of {} bytes; expected a power-of-two number of sets, "
      "e.g. {} or {}",
      key, format_size(size), static_cast<double>(lines) / c.ways, c.ways, name, line, format_size(lo_bytes),
      format_size(2 * lo_bytes)));
}

void check_cache(const CacheHierarchyConfig& c) {
  const uint32_t line = c.line_bytes;
  if (line < 8 || line > 4096 || (line & (line - 1)) != 0)
    throw InputError(
        fmt::format("cache.line_bytes: '{}' is not valid; expected a power of two from 8 to 4096 (lines are "
                    "found by address bits)",
                    line));
  for (const Level& l : kLevels) check_level(l.name, c.*l.member, line);
}

// What CacheTags::configure allocates for one level: 4-byte tags, each set padded to whole
// 4-tag vectors with a spare slot.
void cache_bytes(const CacheHierarchyConfig& c, StructureSizes& out) {
  for (const Level& l : kLevels) {
    const CacheLevelConfig& level = c.*l.member;
    if (level.size_bytes == 0 || c.line_bytes == 0 || level.ways == 0) continue;
    const uint64_t sets = level.size_bytes / c.line_bytes / level.ways;
    if (uint64_t b = sets * ((level.ways + 1 + 3) & ~uint64_t{3}) * 4)
      out.emplace_back(fmt::format("cache.{}_size={}", l.name, format_size(level.size_bytes)), b);
  }
}

}  // namespace

HVSIM_CONFIG_SECTION(CacheHierarchyConfig, "cache", 50,
                     "data and page-table-entry caches (L1, L2, LLC) and DRAM") {
  for (const Level& l : kLevels) {
    auto level = [m = l.member](CacheHierarchyConfig& c) -> CacheLevelConfig& { return c.*m; };
    s.size(
         fmt::format("{}_size", l.name),
         [level](CacheHierarchyConfig & c) -> auto& { return level(c).size_bytes; }, true)
        .doc("capacity (0 = level absent)");
    s.integer(
         fmt::format("{}_ways", l.name), [level](CacheHierarchyConfig & c) -> auto& { return level(c).ways; },
         1, 1u << 30)
        .unit("ways")
        .doc("associativity");
    s.integer(
         fmt::format("{}_cycles", l.name),
         [level](CacheHierarchyConfig & c) -> auto& { return level(c).latency_cycles; }, 0, 1u << 30)
        .unit("cycles")
        .doc("load-to-use latency of a hit");
  }
  s.integer("dram_cycles", &CacheHierarchyConfig::dram_cycles, 0, 1u << 30)
      .unit("cycles")
      .doc("latency of a reference that misses every cache");
  s.integer("line_bytes", &CacheHierarchyConfig::line_bytes, 8, 4096).unit("bytes").doc("cache line size");
  s.flag("data_accesses", &CacheHierarchyConfig::data_accesses)
      .doc("data accesses also go through the cache model (and compete with page-table entries)");
  s.check(check_cache);
  s.structures(cache_bytes);
}

}  // namespace hvsim
