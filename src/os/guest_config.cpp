#include "os/guest_config.h"

#include <fmt/format.h>

#include "common/config_registry.h"
#include "common/error.h"
#include "common/units.h"

namespace hvsim {

HVSIM_CONFIG_SECTION(GuestConfig, "guest", 70, "the guest OS: its page sizes and memory") {
  s.choice("page_size", &GuestConfig::page_size,
           std::vector<std::pair<std::string, GuestPagePolicy>>{{"4K", GuestPagePolicy::k4K},
                                                                {"2M", GuestPagePolicy::k2M},
                                                                {"1G", GuestPagePolicy::k1G},
                                                                {"thp", GuestPagePolicy::kThp}})
      .doc("guest page-size policy: 4K, 2M, 1G or thp (2M where a 2M-aligned range fits)");
  s.size("memory", &GuestConfig::memory, true)
      .doc("guest-physical memory (0 = footprint plus room for page tables)");
  s.flag("direct_segment", &GuestConfig::direct_segment)
      .doc("back each process's primary region (its first mmap) with contiguous guest-physical memory");
  s.check([](const GuestConfig& c) {
    if (c.memory % 4096 != 0)
      throw InputError(fmt::format(
          "guest.memory: {} is not a whole number of 4KiB pages; expected a multiple of 4KiB (or 0)",
          format_size(c.memory)));
  });
}

}  // namespace hvsim
