#include "workload/trace/trace_stats.h"

#include <string>
#include <vector>

namespace hvsim {

void TraceStats::add(std::span<const Event> events) {
  for (const Event& e : events) {
    ++records_;
    ++by_kind_[static_cast<uint8_t>(e.kind)];
    if (e.pid != last_pid_) {
      pids_.insert(e.pid);
      last_pid_ = e.pid;
      last_page_ = UINT64_MAX;
    }
    if (!is_access(e.kind)) continue;
    ++accesses_;
    min_ = std::min(min_, e.addr);
    const uint64_t last_byte = e.addr + (e.size ? e.size - 1 : 0);
    max_ = std::max(max_, last_byte);
    // Pages are per address space: fold the pid into the key's top bits.
    const uint64_t tag = static_cast<uint64_t>(e.pid) << 52;
    for (uint64_t p = e.addr >> 12; p <= last_byte >> 12; ++p) {
      if (p == last_page_) continue;  // consecutive accesses mostly share a page
      last_page_ = p;
      if (pages_4k_.insert(tag ^ p).second) {
        pages_2m_.insert(tag ^ (p >> 9));
        pages_1g_.insert(tag ^ (p >> 18));
      }
    }
  }
}

void TraceStats::add_all(EventSource& src) {
  std::vector<Event> buf(64 * 1024);
  while (size_t n = src.next_batch(buf)) add(std::span<const Event>(buf.data(), n));
}

nlohmann::json TraceStats::to_json() const {
  nlohmann::json j;
  j["records"] = records_;
  j["accesses"] = accesses_;
  nlohmann::json kinds = nlohmann::json::object();
  for (size_t k = 0; k < by_kind_.size(); ++k)
    if (by_kind_[k]) kinds[std::string(event_kind_name(static_cast<EventKind>(k)))] = by_kind_[k];
  j["by_kind"] = kinds;
  j["os_events"] = os_events();
  j["processes"] = processes();
  j["footprint_bytes"] = footprint_bytes();
  j["unique_pages"] = {{"4KiB", unique_4k()}, {"2MiB", unique_2m()}, {"1GiB", unique_1g()}};
  if (accesses_) {
    j["min_addr"] = min_;
    j["max_addr"] = max_;
  }
  return j;
}

}  // namespace hvsim
