// memcached: GET/SET requests with Zipf(0.99) key popularity against memcached's memory layout:
// a bucket array of item pointers and slab classes (item sizes growing by 1.25x from 96 B) carved
// from 1 MiB slab pages. A request reads the key's bucket and the item header and key; a GET
// reads the value and bumps the item's LRU time, a SET writes value and header.
// Options: get (percent of GETs, default 90), zipf (exponent, default 0.99).
#include <vector>

#include "common/random.h"
#include "common/units.h"
#include "common/zipf.h"
#include "workload/generators/generator_helpers.h"
#include "workload/generators/synthetic_source.h"

namespace hvsim {
namespace {

constexpr uint64_t kSlabPage = 1 << 20;
constexpr uint64_t kHeader = 48;

std::unique_ptr<EventSource> make_memcached(const WorkloadParams& p) {
  uint64_t get_pct = 90;
  double skew = 0.99;
  for (auto& [k, v] : p.options) {
    if (k == "get") {
      get_pct = parse_percent(v, "workload.get");
    } else if (k == "zipf") {
      char* end = nullptr;
      skew = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || skew <= 0 || skew > 5)
        throw InputError("workload.zipf: must be a number in (0, 5]");
    } else {
      throw InputError("workload." + k + ": the 'memcached' workload has no such option (it has get, zipf)");
    }
  }
  // Slab classes up to 16 KiB items; each key has a fixed class (from its hash), and every class
  // gets slab pages in proportion to the bytes its items need.
  std::vector<uint64_t> sizes;
  for (double s = 96; s <= 16384; s *= 1.25) sizes.push_back((static_cast<uint64_t>(s) + 7) & ~7ull);
  // Item size popularity falls off with size, as in cache traces: weight 1/size.
  double wsum = 0;
  for (auto s : sizes) wsum += 1.0 / static_cast<double>(s);
  const uint64_t table_bytes = std::max<uint64_t>(kSlabPage, p.footprint / 16);
  const uint64_t slab_bytes = std::max<uint64_t>(kSlabPage * sizes.size(), p.footprint - table_bytes);
  // Average item bytes under the weights: keys = bytes / average.
  double avg = static_cast<double>(sizes.size()) / wsum;
  const uint64_t keys = std::max<uint64_t>(1, static_cast<uint64_t>(static_cast<double>(slab_bytes) / avg));
  const uint64_t buckets = std::max<uint64_t>(1, table_bytes / 8);
  struct Class {
    uint64_t size, base, items;
  };
  std::vector<Class> classes;
  std::vector<double> cdf;
  uint64_t at = kWorkloadHeapBase + table_bytes;
  double acc = 0;
  for (auto s : sizes) {
    double share = (1.0 / static_cast<double>(s)) / wsum;  // fraction of keys in this class
    uint64_t items = std::max<uint64_t>(1, static_cast<uint64_t>(share * static_cast<double>(keys)));
    uint64_t pages = (items * s + kSlabPage - 1) / kSlabPage;
    classes.push_back({s, at, pages * kSlabPage / s});
    at += pages * kSlabPage;
    acc += share;
    cdf.push_back(acc);
  }
  struct Step {
    std::vector<Class> classes;
    std::vector<double> cdf;
    uint64_t keys, buckets, get_pct;
    Rng rng;
    ZipfSampler zipf;
    std::vector<Event> pending;
    size_t pos = 0;

    void request() {
      pending.clear();
      pos = 0;
      uint64_t key = zipf.sample(rng);
      uint64_t h = key;
      h = splitmix64(h);
      double u = static_cast<double>(h >> 11) * 0x1.0p-53;
      size_t c = static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
      if (c >= classes.size()) c = classes.size() - 1;
      const Class& cl = classes[c];
      uint64_t item = cl.base + (splitmix64(h) % cl.items) * cl.size;
      bool get = rng.below(100) < get_pct;
      pending.push_back(Event::access(EventKind::kLoad, kWorkloadHeapBase + (h % buckets) * 8, 8));  // bucket
      pending.push_back(Event::access(EventKind::kLoad, item, 8));            // header, chain
      pending.push_back(Event::access(EventKind::kLoad, item + kHeader, 8));  // key compare
      EventKind k = get ? EventKind::kLoad : EventKind::kStore;
      for (uint64_t off = kHeader + 64; off < cl.size; off += 64)
        pending.push_back(Event::access(k, item + off, 8));
      pending.push_back(Event::access(EventKind::kStore, item + 16, 8));  // LRU time / header update
    }
    Event operator()() {
      if (pos == pending.size()) request();
      return pending[pos++];
    }
  };
  WorkloadParams q = p;
  q.footprint = at - kWorkloadHeapBase;
  std::string desc = fmt::format("memcached ({} keys, {} slab classes, {}% GET, zipf {}, {} B, seed {})",
                                 keys, classes.size(), get_pct, skew, q.footprint, p.seed);
  return make_synthetic(
      desc, q, Step{classes, cdf, keys, buckets, get_pct, Rng(p.seed), ZipfSampler(keys, skew), {}, 0});
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(
    memcached, "memcached",
    "memcached GETs/SETs with Zipf keys over a hash table and slab classes (options: get, zipf)", 52,
    make_memcached);

}  // namespace hvsim
