// The data caches of cpu0 as the kernel lists them in /sys/devices/system/cpu/cpu0/cache/index*/
// (level, type, size, ways_of_associativity, coherency_line_size, number_of_sets).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvsim {

struct CacheLevelInfo {
  uint32_t level = 0;       // 1, 2, 3...
  uint64_t size = 0;        // bytes
  uint32_t ways = 0;        // 0: not listed
  uint32_t line = 0;        // bytes; 0: not listed
  uint64_t sets = 0;        // 0: not listed
  std::string shared_cpus;  // shared_cpu_list
};

struct CacheTopology {
  std::string source;                // the folder read
  std::vector<CacheLevelInfo> data;  // Data and Unified caches, by level
};

// Reads `root`/index*/; a missing or unreadable folder gives no levels.
CacheTopology read_cache_topology(const std::string& root = "/sys/devices/system/cpu/cpu0/cache");
// "48K", "2048K", "105M" -> bytes; 0 if not a size.
uint64_t parse_sysfs_size(const std::string& text);

}  // namespace hvsim
