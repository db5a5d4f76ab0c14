// pagefault: demand-fault cost, like lmbench's lat_pagefault: map a region of `--footprint`
// bytes, touch each of its pages once (in a shuffled order, so faults do not get sequential
// locality for free), unmap it, and again.
#include <algorithm>

#include "common/random.h"
#include "workload/generators/scripted_source.h"
#include "workload/generators/workload_options.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_pagefault(const WorkloadParams& p) {
  WorkloadOptions opt(p, "pagefault");
  const bool store = opt.flag("store", false);
  opt.done();
  const uint64_t pages = std::max<uint64_t>(1, p.footprint / 4096);
  if (pages > (64ull << 20))
    throw InputError("--footprint: the pagefault workload maps at most 256GiB at a time");
  struct State {
    Rng rng;
    std::vector<uint32_t> order;
  };
  auto st = std::make_shared<State>(State{Rng(p.seed), {}});
  auto round = [=](std::deque<Event>& q) {
    if (st->order.empty()) {
      st->order.resize(pages);
      for (uint32_t i = 0; i < pages; ++i) st->order[i] = i;
    }
    for (uint64_t i = pages - 1; i > 0; --i) std::swap(st->order[i], st->order[st->rng.below(i + 1)]);
    q.push_back(os_event(EventKind::kMmap, 1, kWorkloadHeapBase, pages * 4096));
    for (uint32_t page : st->order)
      q.push_back(Event::access(store ? EventKind::kStore : EventKind::kLoad,
                                kWorkloadHeapBase + uint64_t{page} * 4096, 8, 1));
    q.push_back(os_event(EventKind::kMunmap, 1, kWorkloadHeapBase, pages * 4096));
  };
  return std::make_unique<ScriptedSource>(
      fmt::format("pagefault ({} pages per round, seed {})", pages, p.seed), p.accesses, round);
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(pagefault, "pagefault",
                        "demand faults (lmbench lat_pagefault): map, touch every page once, unmap", 21,
                        make_pagefault);

}  // namespace hvsim
