#include "sim/preflight.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "common/error.h"
#include "common/memory_budget.h"
#include "common/units.h"
#include "machine/machine.h"
#include "schemes/scheme.h"

namespace hvsim {
namespace {

void build_schemes_once(const Profile& profile, const std::vector<std::string>& selected,
                        uint64_t footprint_hint) {
  // As run_experiment sizes its machine.
  Machine machine(profile,
                  MachineSizing::for_footprint(profile, footprint_hint ? footprint_hint : 32 * kGiB));
  SchemeContext ctx{profile, machine};
  auto& reg = SchemeRegistry::instance();
  {
    std::vector<std::unique_ptr<Scheme>> together;
    for (const auto& name : selected) together.push_back(reg.find(name)->factory(ctx));
  }
  for (auto* e : reg.all())
    if (std::find(selected.begin(), selected.end(), e->name) == selected.end()) e->factory(ctx);
}

// The budget error before the run, naming what to shrink: the profile's largest structure for
// TLBs and caches, the simulated memory sizes for the frame allocators.
[[noreturn]] void config_too_large(const MemoryBudgetExceeded& e, const Profile& profile, size_t schemes) {
  std::string culprit;
  if (e.grew == MemoryUse::kTlbs || e.grew == MemoryUse::kCaches) {
    for (const auto& [key, bytes] : profile_structure_bytes(profile)) {
      bool cache = key.rfind("cache.", 0) == 0;
      if (cache == (e.grew == MemoryUse::kCaches)) {
        culprit = fmt::format("; the largest is {} ({} in each scheme)", key, format_size_approx(bytes));
        break;
      }
    }
  } else if (e.grew == MemoryUse::kFrames) {
    culprit = "; the frame allocators track every simulated page (guest.memory, host.memory, --footprint)";
  }
  throw InputError(fmt::format("{}, for {} scheme{}{}; raise --memory-limit or shrink the configuration",
                               e.what(), schemes, schemes == 1 ? "" : "s", culprit));
}

}  // namespace

void check_configuration(const Profile& profile, const std::vector<std::string>& selected,
                         uint64_t footprint_hint) {
  try {
    build_schemes_once(profile, selected, footprint_hint);
  } catch (const MemoryBudgetExceeded& e) {
    config_too_large(e, profile, selected.size());
  }
}

}  // namespace hvsim
