// fork-exit: process creation and teardown, like lmbench's lat_proc. A parent with an address
// space of `workload.size` bytes (all touched) repeatedly forks a child; the child writes
// `workload.child_writes` of the inherited pages (copy-on-write), optionally execs a fresh image
// whose `workload.exec_pages` pages it touches (`workload.exec=true`), and exits; the parent then
// writes `workload.parent_writes` pages. `--accesses` bounds the whole run.
#include "common/random.h"
#include "workload/generators/scripted_source.h"
#include "workload/generators/workload_options.h"

namespace hvsim {
namespace {

std::unique_ptr<EventSource> make_fork_exit(const WorkloadParams& p) {
  WorkloadOptions opt(p, "fork-exit");
  const uint64_t size = opt.size("size", 8 * kMiB);
  const uint64_t child_writes = opt.count("child_writes", 8, 0, 1 << 20);
  const uint64_t parent_writes = opt.count("parent_writes", 8, 0, 1 << 20);
  const bool exec = opt.flag("exec", false);
  const uint64_t exec_pages = opt.count("exec_pages", 16, 1, 1 << 20);
  opt.done();
  const uint64_t pages = std::max<uint64_t>(1, size / 4096);
  struct State {
    Rng rng;
    bool started = false;
    uint32_t next_child = 2;
  };
  auto st = std::make_shared<State>(State{Rng(p.seed)});
  auto round = [=](std::deque<Event>& q) {
    const uint32_t parent = 1;
    if (!st->started) {
      st->started = true;
      q.push_back(os_event(EventKind::kMmap, parent, kWorkloadHeapBase, pages * 4096));
      for (uint64_t i = 0; i < pages; ++i)
        q.push_back(Event::access(EventKind::kStore, kWorkloadHeapBase + i * 4096, 8, parent));
      return;
    }
    const uint32_t child = st->next_child++;
    if (st->next_child == 0) st->next_child = 2;
    q.push_back(os_event(EventKind::kProcessCreate, parent, 0, child));
    q.push_back(os_event(EventKind::kContextSwitch, child));
    for (uint64_t i = 0; i < child_writes; ++i)
      q.push_back(
          Event::access(EventKind::kStore, kWorkloadHeapBase + st->rng.below(pages) * 4096, 8, child));
    if (exec) {
      q.push_back(os_event(EventKind::kExec, child));
      q.push_back(os_event(EventKind::kMmap, child, kWorkloadHeapBase, exec_pages * 4096));
      for (uint64_t i = 0; i < exec_pages; ++i)
        q.push_back(Event::access(EventKind::kStore, kWorkloadHeapBase + i * 4096, 8, child));
    }
    q.push_back(os_event(EventKind::kProcessExit, child));
    q.push_back(os_event(EventKind::kContextSwitch, parent));
    for (uint64_t i = 0; i < parent_writes; ++i)
      q.push_back(
          Event::access(EventKind::kStore, kWorkloadHeapBase + st->rng.below(pages) * 4096, 8, parent));
  };
  return std::make_unique<ScriptedSource>(
      fmt::format("fork-exit (parent {} B, child writes {}, exec {}, seed {})", pages * 4096, child_writes,
                  exec, p.seed),
      p.accesses, round);
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(fork_exit, "fork-exit",
                        "process creation and teardown (lmbench lat_proc): fork, copy-on-write, exec, exit",
                        20, make_fork_exit);

}  // namespace hvsim
