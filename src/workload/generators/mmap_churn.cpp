// mmap-churn: a program that keeps mapping, filling and unmapping buffers while working on a
// long-lived data set, as dedup does with its chunk buffers. Each round maps a buffer of
// `workload.chunk` bytes, writes every page of it, reads it once more, unmaps it, and in between
// makes `workload.work` random accesses to the `--footprint` data set. With `workload.phase=N`
// the two alternate instead, N accesses each: buffer rounds alone (page-table churn), then random
// work alone (TLB misses), and so on — the workload whose best mode changes phase by phase.
#include "common/random.h"
#include "workload/generators/scripted_source.h"
#include "workload/generators/workload_options.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_mmap_churn(const WorkloadParams& p) {
  WorkloadOptions opt(p, "mmap-churn");
  const uint64_t chunk = opt.size("chunk", 1 * kMiB);
  const uint64_t work = opt.count("work", 2048, 0, 1ull << 32);
  const uint64_t phase = opt.count("phase", 0, 0, 1ull << 40);
  opt.done();
  const uint64_t chunk_pages = std::max<uint64_t>(1, chunk / 4096);
  const uint64_t words = std::max<uint64_t>(1, p.footprint / 8);
  // Buffers live above the data set; successive rounds reuse the same virtual range as an
  // allocator returning freed memory would.
  const uint64_t buffer = kWorkloadHeapBase + ((p.footprint + kGiB - 1) & ~(kGiB - 1)) + kGiB;
  // Everything must stay below the top of 4-level user space (canonical addresses).
  if (buffer + chunk_pages * 4096 > (uint64_t{1} << 47))
    throw InputError(fmt::format(
        "--footprint: mmap-churn puts its {} buffer 1 GiB above the data set, past the top of user space; "
        "expected a footprint of at most {}",
        format_size(chunk_pages * 4096),
        format_size((((uint64_t{1} << 47) - kWorkloadHeapBase - kGiB - chunk_pages * 4096) & ~(kGiB - 1)))));
  struct State {
    Rng rng;
    bool started = false;
    bool churning = true;   // with phases: which phase this is
    uint64_t in_phase = 0;  // accesses of it so far
  };
  auto st = std::make_shared<State>(State{Rng(p.seed)});
  auto random_work = [=](std::deque<Event>& q, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i)
      q.push_back(Event::access(EventKind::kLoad, kWorkloadHeapBase + st->rng.below(words) * 8, 8, 1));
  };
  auto buffer_round = [=](std::deque<Event>& q, uint64_t between) {
    q.push_back(os_event(EventKind::kMmap, 1, buffer, chunk_pages * 4096));
    for (uint64_t i = 0; i < chunk_pages; ++i)
      q.push_back(Event::access(EventKind::kStore, buffer + i * 4096, 8, 1));
    random_work(q, between);
    for (uint64_t i = 0; i < chunk_pages; ++i)
      q.push_back(Event::access(EventKind::kLoad, buffer + i * 4096 + 64, 8, 1));
    q.push_back(os_event(EventKind::kMunmap, 1, buffer, chunk_pages * 4096));
  };
  auto round = [=](std::deque<Event>& q) {
    if (!st->started) {
      st->started = true;
      q.push_back(os_event(EventKind::kMmap, 1, kWorkloadHeapBase, p.footprint));
    }
    if (phase == 0) return buffer_round(q, work);
    if (st->churning) {
      buffer_round(q, 0);
      st->in_phase += 2 * chunk_pages;
    } else {
      const uint64_t n = std::min<uint64_t>(4096, phase - st->in_phase);
      random_work(q, n);
      st->in_phase += n;
    }
    if (st->in_phase >= phase) st->churning = !st->churning, st->in_phase = 0;
  };
  return std::make_unique<ScriptedSource>(
      phase ? fmt::format("mmap-churn (chunk {} B, alternating phases of {} accesses, data {} B, seed {})",
                          chunk_pages * 4096, phase, p.footprint, p.seed)
            : fmt::format("mmap-churn (chunk {} B, {} accesses between, data {} B, seed {})",
                          chunk_pages * 4096, work, p.footprint, p.seed),
      p.accesses, round);
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(mmap_churn, "mmap-churn",
                        "map, fill and unmap buffers beside random work on a data set (like dedup)", 22,
                        make_mmap_churn);

}  // namespace hvsim
