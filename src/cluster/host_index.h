// Finds hosts for a VM without scanning every host: each host is keyed by its free memory and
// by its largest allocatable hole, in ordered sets (tightest and emptiest host, O(log n)) and in
// a max segment tree over host ids (the first host from an id with a key at least n, O(log n)).
// CPU/GPU and other conditions are checked on the candidates in key order.
#pragma once
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "cluster/host.h"

namespace hvsim {

enum class HostKey : uint8_t { kFree, kHole };

class HostIndex {
 public:
  explicit HostIndex(std::vector<Host>& hosts);

  // Call after host `h`'s memory changed.
  void update(uint32_t h);

  // The host with the lowest id >= from whose key is >= need and that satisfies ok(id); -1: none.
  template <class Ok>
  int64_t first_from(HostKey key, uint64_t need, uint32_t from, Ok&& ok) const {
    return descend(key, 1, 0, size_, need, from, ok);
  }
  // The host with the smallest key >= need satisfying ok; -1: none.
  template <class Ok>
  int64_t tightest(HostKey key, uint64_t need, Ok&& ok) const {
    const auto& set = key == HostKey::kFree ? by_free_ : by_hole_;
    for (auto it = set.lower_bound({need, 0}); it != set.end(); ++it)
      if (ok(it->second)) return it->second;
    return -1;
  }
  // The host with the largest key (>= need) satisfying ok; -1: none.
  template <class Ok>
  int64_t emptiest(HostKey key, uint64_t need, Ok&& ok) const {
    const auto& set = key == HostKey::kFree ? by_free_ : by_hole_;
    for (auto it = set.rbegin(); it != set.rend() && it->first >= need; ++it)
      if (ok(it->second)) return it->second;
    return -1;
  }

  uint64_t total_free() const { return total_free_; }
  uint64_t total_hole() const { return total_hole_; }  // sum over hosts of the largest hole
  size_t size() const { return hosts_.size(); }

 private:
  template <class Ok>
  int64_t descend(HostKey key, size_t node, size_t lo, size_t hi, uint64_t need, uint32_t from,
                  Ok& ok) const {
    if (hi <= from || lo >= hosts_.size() || tree(key)[node] < need) return -1;
    if (hi - lo == 1) return ok(static_cast<uint32_t>(lo)) ? static_cast<int64_t>(lo) : -1;
    const size_t mid = (lo + hi) / 2;
    const int64_t left = descend(key, 2 * node, lo, mid, need, from, ok);
    return left >= 0 ? left : descend(key, 2 * node + 1, mid, hi, need, from, ok);
  }
  const std::vector<uint64_t>& tree(HostKey key) const {
    return key == HostKey::kFree ? max_free_ : max_hole_;
  }

  std::vector<Host>& hosts_;
  size_t size_ = 1;  // leaves of the tree: a power of two
  std::vector<uint64_t> max_free_, max_hole_;
  std::vector<std::pair<uint64_t, uint64_t>> keys_;  // per host: (free, hole) as indexed
  std::set<std::pair<uint64_t, uint32_t>> by_free_, by_hole_;
  uint64_t total_free_ = 0, total_hole_ = 0;
};

}  // namespace hvsim
