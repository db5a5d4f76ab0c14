#include "hv/host_config.h"

#include <fmt/format.h>

#include "common/config_registry.h"
#include "common/error.h"
#include "common/units.h"

namespace hvsim {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// A count of equal segments ("2"), or a list of sizes from guest-physical 0 ("1GiB,512MiB").
HostSegments parse_segments(const std::string& v, const ConfigKey& k) {
  HostSegments out;
  if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) {
    out.count = static_cast<uint32_t>(parse_integer_key(v, k, 1, 64));
    return out;
  }
  size_t start = 0;
  while (start <= v.size()) {
    const size_t comma = v.find(',', start);
    const std::string item =
        trim(v.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    const uint64_t b = parse_size(item, k.key());
    if (b == 0 || b % (2 * kMiB) != 0)
      throw InputError(fmt::format(
          "{}: '{}' is not valid; expected sizes that are non-zero multiples of 2MiB", k.key(), item));
    out.sizes.push_back(b);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.sizes.size() > 64) throw InputError(k.key() + ": at most 64 segments");
  return out;
}

std::string segments_text(const HostSegments& s) {
  if (s.sizes.empty()) return std::to_string(s.count);
  std::string t;
  for (uint64_t b : s.sizes) {
    if (!t.empty()) t += ',';
    t += format_size(b);
  }
  return t;
}

}  // namespace

HVSIM_CONFIG_SECTION(HostConfig, "host", 80, "the hypervisor's host memory: page size, backing, population") {
  s.choice("page_size", &HostConfig::page_size,
           std::vector<std::pair<std::string, PageSize>>{
               {"4K", PageSize::k4K}, {"2M", PageSize::k2M}, {"1G", PageSize::k1G}})
      .doc("host (EPT) page size: 4K, 2M or 1G");
  s.size("memory", &HostConfig::memory, true)
      .doc("host-physical memory (0 = guest memory plus room for host tables)");
  s.choice("populate", &HostConfig::populate_eager,
           std::vector<std::pair<std::string, bool>>{{"lazy", false}, {"eager", true}})
      .doc("when the host maps guest memory: lazy (EPT violation on first touch) or eager (at VM start)");
  s.choice("backing", &HostConfig::segment_backing,
           std::vector<std::pair<std::string, bool>>{{"pages", false}, {"segments", true}})
      .doc(
          "how the host backs guest memory: pages (allocated page by page) or segments (contiguous host "
          "ranges, see host.segments)");
  s.custom<HostSegments>(
       "segments", &HostConfig::segments, "list", "1..64, or sizes", parse_segments,
       [](const HostSegments& v) { return ConfigValue(segments_text(v)); }, segments_text)
      .doc(
          "with host.backing = segments: a count of equal segments covering guest memory (e.g. 2), or a list "
          "of sizes from guest-physical 0 (e.g. \"1GiB,512MiB\"; memory past them is backed by pages)");
  s.check([](const HostConfig& c) {
    if (c.memory % 4096 != 0)
      throw InputError(fmt::format(
          "host.memory: {} is not a whole number of 4KiB pages; expected a multiple of 4KiB (or 0)",
          format_size(c.memory)));
  });
}

}  // namespace hvsim
