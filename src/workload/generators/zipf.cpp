// zipf: a key-value store under a skewed load (Zipf 0.99, as YCSB): each request reads the key's
// hash-index bucket, then reads its 64-byte item (5% of requests write it). Items of popular keys
// are scattered over the footprint by hashing, as a hash table places them.
#include "common/zipf.h"
#include "common/random.h"
#include "workload/generators/synthetic_source.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_zipf(const WorkloadParams& p) {
  reject_options(p, "zipf");
  struct Step {
    Rng rng;
    ZipfSampler zipf;
    uint64_t buckets, items, item_base;
    uint64_t pending_item = 0;
    bool item_next = false;
    bool write = false;
    static uint64_t mix(uint64_t k) {
      uint64_t s = k;
      return splitmix64(s);
    }
    Event operator()() {
      if (item_next) {
        item_next = false;
        return Event::access(write ? EventKind::kStore : EventKind::kLoad, pending_item, 8);
      }
      uint64_t key = zipf.sample(rng);
      uint64_t hash = mix(key);
      pending_item = item_base + (hash % items) * 64;
      write = rng.below(100) < 5;
      item_next = true;
      return Event::access(EventKind::kLoad, kWorkloadHeapBase + ((hash >> 17) % buckets) * 8, 8);
    }
  };
  uint64_t index_bytes = std::max<uint64_t>(8, p.footprint / 8);
  uint64_t items = std::max<uint64_t>(1, (p.footprint - index_bytes) / 64);
  return make_synthetic(
      fmt::format("zipf 0.99 key-value (footprint {} B, seed {})", p.footprint, p.seed), p,
      Step{Rng(p.seed), ZipfSampler(items, 0.99), index_bytes / 8, items, kWorkloadHeapBase + index_bytes});
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(zipf, "zipf",
                        "key-value lookups with Zipf(0.99) key popularity over a hash index and items", 3,
                        make_zipf);

}  // namespace hvsim
