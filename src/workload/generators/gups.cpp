// gups: the HPC Challenge RandomAccess kernel: read-modify-write of random 8-byte words spread
// uniformly over the footprint (a load and a store of the same word per update).
#include "common/random.h"
#include "workload/generators/synthetic_source.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_gups(const WorkloadParams& p) {
  reject_options(p, "gups");
  struct Step {
    Rng rng;
    uint64_t words;
    uint64_t pending = 0;
    bool store_next = false;
    Event operator()() {
      if (store_next) {
        store_next = false;
        return Event::access(EventKind::kStore, pending, 8);
      }
      pending = kWorkloadHeapBase + rng.below(words) * 8;
      store_next = true;
      return Event::access(EventKind::kLoad, pending, 8);
    }
  };
  return make_synthetic(fmt::format("gups (footprint {} B, seed {})", p.footprint, p.seed), p,
                        Step{Rng(p.seed), p.footprint / 8});
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(gups, "gups",
                        "random read-modify-write of 8-byte words over the footprint (HPCC RandomAccess)", 0,
                        make_gups);

}  // namespace hvsim
