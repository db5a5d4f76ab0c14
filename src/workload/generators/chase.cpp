// chase: a dependent pointer chase visiting cache lines of the footprint in a pseudo-random
// cyclic order (each load's address comes from the previous one, like a linked list walk). The
// order is a full-period linear congruential sequence over the next power of two, skipping lines
// past the footprint, so no permutation table is stored whatever the footprint.
#include <bit>

#include "common/random.h"
#include "workload/generators/synthetic_source.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_chase(const WorkloadParams& p) {
  reject_options(p, "chase");
  struct Step {
    uint64_t lines, mask, mult, inc, x;
    Event operator()() {
      do {
        x = (x * mult + inc) & mask;  // a % 4 == 1 and odd c: full period modulo 2^k (Hull-Dobell)
      } while (x >= lines);
      return Event::access(EventKind::kLoad, kWorkloadHeapBase + x * 64, 8);
    }
  };
  uint64_t lines = std::max<uint64_t>(1, p.footprint / 64);
  uint64_t pow2 = std::bit_ceil(lines);
  uint64_t seed = p.seed;
  uint64_t mult = (splitmix64(seed) & ~3ull) | 1;  // ≡ 1 mod 4
  uint64_t inc = splitmix64(seed) | 1;
  uint64_t start = splitmix64(seed) & (pow2 - 1);
  return make_synthetic(fmt::format("chase (footprint {} B, seed {})", p.footprint, p.seed), p,
                        Step{lines, pow2 - 1, mult, inc, start});
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(chase, "chase",
                        "dependent pointer chase over cache lines in pseudo-random cyclic order", 2,
                        make_chase);

}  // namespace hvsim
