// stream: the STREAM triad a[i] = b[i] + s * c[i] over three arrays that split the footprint:
// two sequential loads and one sequential store per element, wrapping around at the end.
#include "workload/generators/synthetic_source.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_stream(const WorkloadParams& p) {
  reject_options(p, "stream");
  struct Step {
    uint64_t elements;  // per array
    uint64_t i = 0;
    int phase = 0;
    Event operator()() {
      const uint64_t array_bytes = elements * 8;
      Event e;
      switch (phase) {
        case 0:
          e = Event::access(EventKind::kLoad, kWorkloadHeapBase + array_bytes + i * 8, 8);
          break;  // b[i]
        case 1:
          e = Event::access(EventKind::kLoad, kWorkloadHeapBase + 2 * array_bytes + i * 8, 8);
          break;  // c[i]
        default:
          e = Event::access(EventKind::kStore, kWorkloadHeapBase + i * 8, 8);
          break;  // a[i]
      }
      if (++phase == 3) {
        phase = 0;
        if (++i == elements) i = 0;
      }
      return e;
    }
  };
  uint64_t elements = std::max<uint64_t>(1, p.footprint / 3 / 8);
  return make_synthetic(fmt::format("stream triad (footprint {} B)", p.footprint), p, Step{elements});
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(stream, "stream", "STREAM triad: sequential loads of two arrays, store to a third", 1,
                        make_stream);

}  // namespace hvsim
