// Summary of an event stream for `hvsim trace info`: counts by kind, footprint, unique pages.
#pragma once
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <unordered_set>

#include "common/event.h"
#include "workload/event_source.h"

namespace hvsim {

class TraceStats {
 public:
  void add(std::span<const Event> events);
  // Reads `src` to its end.
  void add_all(EventSource& src);

  uint64_t records() const { return records_; }
  uint64_t count(EventKind k) const { return by_kind_[static_cast<uint8_t>(k)]; }
  uint64_t accesses() const { return accesses_; }
  uint64_t os_events() const { return records_ - accesses_; }
  uint64_t unique_4k() const { return pages_4k_.size(); }
  uint64_t unique_2m() const { return pages_2m_.size(); }
  uint64_t unique_1g() const { return pages_1g_.size(); }
  uint64_t footprint_bytes() const { return unique_4k() * 4096; }
  uint64_t min_addr() const { return min_; }
  uint64_t max_addr() const { return max_; }
  size_t processes() const { return pids_.size(); }
  nlohmann::json to_json() const;

 private:
  std::array<uint64_t, 256> by_kind_{};
  uint64_t records_ = 0, accesses_ = 0;
  uint64_t min_ = UINT64_MAX, max_ = 0;
  uint64_t last_page_ = UINT64_MAX;
  uint32_t last_pid_ = UINT32_MAX;
  std::unordered_set<uint64_t> pages_4k_, pages_2m_, pages_1g_;
  std::unordered_set<uint32_t> pids_;
};

}  // namespace hvsim
