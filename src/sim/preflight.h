// Checks before a run that cost no simulation: every scheme's section is valid, and the
// configuration fits in the memory budget.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/profile.h"

namespace hvsim {

// Builds the machine and every registered scheme once (each reads its own section, whatever
// `selected` is), the selected ones together so they take their TLBs, caches and allocators
// from the memory budget at once. A configuration that cannot fit is an InputError naming the
// largest structure to shrink (exit 2 before the run, not 3 during it).
void check_configuration(const Profile& profile, const std::vector<std::string>& selected,
                         uint64_t footprint_hint);

}  // namespace hvsim
