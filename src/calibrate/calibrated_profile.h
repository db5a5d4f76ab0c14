// The profile a calibration writes: the default profile's text with the measured keys edited
// (value, method and spread in the comment beside it), the keys that could not be measured
// kept with the reason added to their comment, and a header saying what was measured, how,
// and what was seen that is no key of the model.
#pragma once
#include <string>
#include <vector>

#include "calibrate/calibration.h"
#include "calibrate/profile_rewrite.h"

namespace hvsim {

// The largest size of whole `ways`-way sets of `line`-byte lines, a power of two of them,
// that is at most `size` (what the cache model can represent); 0 if none.
uint64_t representable_cache_size(uint64_t size, uint32_t ways, uint32_t line);

// The edits `c` makes to the default profile.
std::vector<ProfileEdit> calibrated_edits(const Calibration& c);
// The header comment lines.
std::string calibrated_header(const Calibration& c);
// The whole profile text.
std::string calibrated_profile_text(const Calibration& c);

}  // namespace hvsim
