// Checks and sizes of set-associative structures (common/set_assoc.h) as a configuration gives
// them, shared by the sections that declare TLBs and page-walk caches.
#pragma once
#include <cstdint>
#include <string>

#include "common/config_registry.h"

namespace hvsim {

// Rejects `entries` that are not whole sets of `ways` (as SetAssoc reads them: no ways, or more
// ways than entries, is one fully associative set), naming both keys and the nearest fits.
void check_whole_sets(const std::string& entries_key, uint32_t entries, const std::string& ways_key,
                      uint32_t ways);

// What one instance takes: an 8-byte key and an 8-byte payload per entry, a 4-byte head per set.
void add_set_assoc_bytes(StructureSizes& out, const std::string& entries_key, uint32_t entries,
                         uint32_t ways);

}  // namespace hvsim
