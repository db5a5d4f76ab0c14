#include "calibrate/cache_topology.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace hvsim {
namespace {

std::string read_line(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  return s;
}

uint64_t read_number(const std::filesystem::path& p) {
  const std::string s = read_line(p);
  char* end = nullptr;
  const uint64_t v = std::strtoull(s.c_str(), &end, 10);
  return end && end != s.c_str() && *end == 0 ? v : 0;
}

}  // namespace

uint64_t parse_sysfs_size(const std::string& text) {
  char* end = nullptr;
  const uint64_t v = std::strtoull(text.c_str(), &end, 10);
  if (!end || end == text.c_str()) return 0;
  const std::string unit(end);
  if (unit.empty()) return v;
  if (unit == "K") return v << 10;
  if (unit == "M") return v << 20;
  if (unit == "G") return v << 30;
  return 0;
}

CacheTopology read_cache_topology(const std::string& root) {
  CacheTopology t;
  t.source = root;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const auto& dir = entry.path();
    if (dir.filename().string().rfind("index", 0) != 0) continue;
    const std::string type = read_line(dir / "type");
    if (type != "Data" && type != "Unified") continue;
    CacheLevelInfo c;
    c.level = static_cast<uint32_t>(read_number(dir / "level"));
    c.size = parse_sysfs_size(read_line(dir / "size"));
    c.ways = static_cast<uint32_t>(read_number(dir / "ways_of_associativity"));
    c.line = static_cast<uint32_t>(read_number(dir / "coherency_line_size"));
    c.sets = read_number(dir / "number_of_sets");
    c.shared_cpus = read_line(dir / "shared_cpu_list");
    if (c.level > 0 && c.size > 0) t.data.push_back(c);
  }
  std::sort(t.data.begin(), t.data.end(),
            [](const CacheLevelInfo& a, const CacheLevelInfo& b) { return a.level < b.level; });
  return t;
}

}  // namespace hvsim
