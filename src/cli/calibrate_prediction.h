// The prediction `hvsim calibrate --check` sets against a measurement no fit used: the time
// per access of hvsim's `chase` workload (a dependent chase over every line of the footprint)
// on 4 KiB guest pages over the same on 2 MiB pages, with the calibrated profile, for native
// paging and for nested paging (this host may itself be a VM, whose loads take a 2D walk).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/profile.h"

namespace hvsim {

struct ChasePrediction {
  std::string label;                    // "native", "nested, host 2M pages"
  std::vector<std::string> set;         // the settings beside guest.page_size
  double cycles_4k = 0, cycles_2m = 0;  // per access
  double ratio() const { return cycles_2m > 0 ? cycles_4k / cycles_2m : 0; }
};

// Runs hvsim's chase over `footprint` for each configuration on both guest page sizes, with a
// warm-up that maps every page first. `progress` gets a line per run.
std::vector<ChasePrediction> predict_chase_ratio(const Profile& profile, uint64_t footprint,
                                                 const std::function<void(const std::string&)>& progress);

}  // namespace hvsim
