// Measuring part of a run by snapshot and subtraction: what a scheme counted between two
// snapshots of its figures, with each of its own figures treated as its declared kind (counts
// subtract, levels keep their latest value, per-walk figures are recomputed).
#pragma once
#include "common/scheme_stats.h"

namespace hvsim {

// `now - before`, unpriced (call price()). Throws a logic error naming a detail that no scheme
// declared (schemes/scheme_details.h).
SchemeStats stats_between(const SchemeStats& before, const SchemeStats& now);

// Adds `later` (a measurement of the part right after `total`'s) to `total`.
void append_stats(SchemeStats& total, const SchemeStats& later);

}  // namespace hvsim
