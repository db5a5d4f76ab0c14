// ctxsw: `workload.procs` processes scheduled round-robin, each making `workload.slice` random
// accesses to its own share of the footprint before the next context switch (lmbench lat_ctx
// with a working set).
#include "common/random.h"
#include "workload/generators/scripted_source.h"
#include "workload/generators/workload_options.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_ctxsw(const WorkloadParams& p) {
  WorkloadOptions opt(p, "ctxsw");
  const uint32_t procs = static_cast<uint32_t>(opt.count("procs", 4, 1, 4000));
  const uint64_t slice = opt.count("slice", 1000, 1, 1ull << 32);
  opt.done();
  const uint64_t share = std::max<uint64_t>(4096, p.footprint / procs / 4096 * 4096);
  struct State {
    Rng rng;
    uint32_t next = 0;
    bool started = false;
  };
  auto st = std::make_shared<State>(State{Rng(p.seed)});
  auto round = [=](std::deque<Event>& q) {
    if (!st->started) {
      st->started = true;
      for (uint32_t i = 0; i < procs; ++i)
        q.push_back(os_event(EventKind::kMmap, i + 1, kWorkloadHeapBase, share));
    }
    const uint32_t pid = st->next + 1;
    st->next = (st->next + 1) % procs;
    q.push_back(os_event(EventKind::kContextSwitch, pid));
    for (uint64_t i = 0; i < slice; ++i)
      q.push_back(Event::access(EventKind::kLoad, kWorkloadHeapBase + st->rng.below(share / 8) * 8, 8, pid));
  };
  return std::make_unique<ScriptedSource>(
      fmt::format("ctxsw ({} processes, {} accesses per slice, seed {})", procs, slice, p.seed), p.accesses,
      round);
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(ctxsw, "ctxsw",
                        "processes round-robin with context switches, each on its own working set", 23,
                        make_ctxsw);

}  // namespace hvsim
