// The discrete-event engine's queue: events by time, and events at the same time in the order
// they were scheduled, so a run is a pure function of its inputs and seed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <queue>
#include <vector>

namespace hvsim {

enum class IoEventKind : uint8_t {
  kArrive,       // a guest's application issues a request
  kPost,         // the guest driver publishes it in the avail ring
  kKick,         // the kick reaches the device side
  kExecRun,      // an I/O core looks for work
  kExecTimeout,  // hybrid: the poll window or rate window ends
  kBackendDone,  // the backend finished a request
  kIrq,          // a completion interrupt reaches the guest
  kReap,         // the guest driver reaps completions
  kReapDone,     // ... and re-enables interrupts
};

struct IoEvent {
  double time = 0;  // ns
  uint64_t seq = 0;
  IoEventKind kind = IoEventKind::kArrive;
  uint32_t target = 0;  // guest or I/O core
  uint64_t tag = 0;     // generation, for events a later one supersedes
};

class IoEventQueue {
 public:
  void push(double time, IoEventKind kind, uint32_t target, uint64_t tag = 0) {
    heap_.push(IoEvent{time, next_seq_++, kind, target, tag});
  }
  bool empty() const { return heap_.empty(); }
  IoEvent pop() {
    IoEvent e = heap_.top();
    heap_.pop();
    return e;
  }
  size_t size() const { return heap_.size(); }
  uint64_t scheduled() const { return next_seq_; }

 private:
  struct Later {
    bool operator()(const IoEvent& a, const IoEvent& b) const {
      return a.time != b.time ? a.time > b.time : a.seq > b.seq;
    }
  };
  std::priority_queue<IoEvent, std::vector<IoEvent>, Later> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace hvsim
