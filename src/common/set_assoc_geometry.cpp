#include "common/set_assoc_geometry.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"

namespace hvsim {

void check_whole_sets(const std::string& entries_key, uint32_t entries, const std::string& ways_key,
                      uint32_t ways) {
  if (entries == 0) return;
  ways = ways == 0 || ways > entries ? entries : ways;
  if (entries % ways == 0) return;
  const uint32_t below = entries / ways * ways;
  throw InputError(fmt::format(
      "{}: {} entries are not whole sets of {} = {}; expected a multiple of {}, e.g. {}{}", entries_key,
      entries, ways_key, ways, ways, below ? fmt::format("{} or ", below) : "", below + ways));
}

void add_set_assoc_bytes(StructureSizes& out, const std::string& entries_key, uint32_t entries,
                         uint32_t ways) {
  if (entries == 0) return;
  out.emplace_back(fmt::format("{}={}", entries_key, entries),
                   uint64_t{entries} * 16 + 4 * uint64_t{entries} / std::max(1u, ways));
}

}  // namespace hvsim
