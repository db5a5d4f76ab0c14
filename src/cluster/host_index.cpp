#include "cluster/host_index.h"

#include <algorithm>

namespace hvsim {

HostIndex::HostIndex(std::vector<Host>& hosts) : hosts_(hosts) {
  while (size_ < hosts.size()) size_ *= 2;
  max_free_.assign(2 * size_, 0);
  max_hole_.assign(2 * size_, 0);
  keys_.assign(hosts.size(), {0, 0});
  for (uint32_t h = 0; h < hosts.size(); ++h) {
    by_free_.insert({0, h});
    by_hole_.insert({0, h});
    update(h);
  }
}

void HostIndex::update(uint32_t h) {
  const uint64_t free = hosts_[h].alloc->free_units(), hole = hosts_[h].alloc->largest_allocatable();
  auto& [old_free, old_hole] = keys_[h];
  if (free != old_free) {
    by_free_.erase({old_free, h});
    by_free_.insert({free, h});
  }
  if (hole != old_hole) {
    by_hole_.erase({old_hole, h});
    by_hole_.insert({hole, h});
  }
  total_free_ += free - old_free;
  total_hole_ += hole - old_hole;
  old_free = free;
  old_hole = hole;
  size_t node = size_ + h;
  max_free_[node] = free;
  max_hole_[node] = hole;
  for (node /= 2; node >= 1; node /= 2) {
    max_free_[node] = std::max(max_free_[2 * node], max_free_[2 * node + 1]);
    max_hole_[node] = std::max(max_hole_[2 * node], max_hole_[2 * node + 1]);
  }
}

}  // namespace hvsim
