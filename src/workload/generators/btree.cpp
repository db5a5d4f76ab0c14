// btree: point lookups in a B+-tree of 8-byte keys. Every level does a binary search over the
// node's sorted keys (one load per probe) and follows the child pointer; the leaf's value is
// read (or written, for the update fraction). Nodes of one level are contiguous, as a bulk-loaded
// tree lays them out. Options: node (node bytes, default 4KiB), zipf (key skew exponent, default
// 0 = uniform), update (percent of lookups that write the value, default 0).
#include <vector>

#include "common/random.h"
#include "common/units.h"
#include "common/zipf.h"
#include "workload/generators/generator_helpers.h"
#include "workload/generators/synthetic_source.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_btree(const WorkloadParams& p) {
  uint64_t node = 4096;
  double skew = 0;
  uint64_t update = 0;
  for (auto& [k, v] : p.options) {
    if (k == "node") {
      node = parse_size(v, "workload.node");
      if (node < 64 || node > (1u << 20) || (node & (node - 1)))
        throw InputError("workload.node: must be a power of two from 64B to 1MiB");
    } else if (k == "zipf") {
      char* end = nullptr;
      skew = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || skew < 0 || skew > 5)
        throw InputError("workload.zipf: must be a number in 0..5");
    } else if (k == "update") {
      update = parse_percent(v, "workload.update");
    } else {
      throw InputError("workload." + k +
                       ": the 'btree' workload has no such option (it has node, zipf, update)");
    }
  }
  // A node holds `fanout` keys and as many child pointers (or values, in a leaf).
  const uint64_t fanout = node / 16;
  const uint64_t leaves = std::max<uint64_t>(1, p.footprint / node * (fanout - 1) / fanout);
  std::vector<uint64_t> count;  // nodes per level, root first
  for (uint64_t n = leaves;; n = (n + fanout - 1) / fanout) {
    count.insert(count.begin(), n);
    if (n == 1) break;
  }
  std::vector<uint64_t> base(count.size());
  uint64_t at = kWorkloadHeapBase;
  for (size_t l = 0; l < count.size(); ++l) {
    base[l] = at;
    at += layout_page_up(count[l] * node);
  }
  struct Step {
    std::vector<uint64_t> count, base;
    uint64_t node, fanout, keys, update;
    Rng rng;
    std::shared_ptr<ZipfSampler> zipf;
    std::vector<Event> pending;
    size_t pos = 0;

    void lookup() {
      pending.clear();
      pos = 0;
      uint64_t key = zipf ? zipf->sample(rng) - 1 : rng.below(keys);
      if (zipf) {  // spread popular keys over the key space
        uint64_t s = key;
        key = splitmix64(s) % keys;
      }
      const size_t levels = count.size();
      for (size_t l = 0; l < levels; ++l) {
        // Keys under one node at this level, and which of its slots the search ends in.
        uint64_t span = keys / count[l] + 1;
        uint64_t idx = std::min(key / span, count[l] - 1);
        uint64_t slot = std::min((key % span) * fanout / span, fanout - 1);
        uint64_t nbase = base[l] + idx * node;
        uint64_t lo = 0, hi = fanout;
        while (lo + 1 < hi) {
          uint64_t mid = (lo + hi) / 2;
          pending.push_back(Event::access(EventKind::kLoad, nbase + 8 * mid, 8));
          if (slot >= mid)
            lo = mid;
          else
            hi = mid;
        }
        // Child pointer (inner) or value (leaf) of the slot, in the node's second half.
        bool leaf = l + 1 == levels;
        EventKind k = leaf && rng.below(100) < update ? EventKind::kStore : EventKind::kLoad;
        pending.push_back(Event::access(k, nbase + node / 2 + 8 * slot, 8));
      }
    }
    Event operator()() {
      if (pos == pending.size()) lookup();
      return pending[pos++];
    }
  };
  const uint64_t keys = leaves * fanout;
  auto zipf = skew > 0 ? std::make_shared<ZipfSampler>(keys, skew) : nullptr;
  WorkloadParams q = p;
  q.footprint = at - kWorkloadHeapBase;
  std::string desc =
      fmt::format("btree lookups ({} levels, {} B nodes, fanout {}, {} keys, zipf {}, update {}%, seed {})",
                  count.size(), node, fanout, keys, skew, update, p.seed);
  return make_synthetic(desc, q, Step{count, base, node, fanout, keys, update, Rng(p.seed), zipf, {}, 0});
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(
    btree, "btree",
    "B+-tree point lookups: binary search in every node, root to leaf (options: node, zipf, update)", 51,
    make_btree);

}  // namespace hvsim
