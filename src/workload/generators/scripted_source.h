// Frame of the generators whose stream mixes OS events with accesses: a step function appends
// one round (e.g. fork, the child's work, exit) to a queue; the source hands events out until
// the requested number of accesses has been produced.
#pragma once
#include <deque>
#include <functional>
#include <string>

#include "workload/generator.h"

namespace hvsim {

inline Event os_event(EventKind kind, uint32_t pid, uint64_t addr = 0, uint64_t arg = 0, uint16_t flags = 0) {
  Event e;
  e.kind = kind;
  e.pid = pid;
  e.addr = addr;
  e.arg = arg;
  e.flags = flags;
  return e;
}

class ScriptedSource final : public EventSource {
 public:
  using Round = std::function<void(std::deque<Event>&)>;
  ScriptedSource(std::string description, uint64_t accesses, Round round)
      : description_(std::move(description)), accesses_(accesses), round_(std::move(round)) {}

  size_t next_batch(std::span<Event> out) override {
    size_t n = 0;
    while (n < out.size() && produced_ < accesses_) {
      if (queue_.empty()) round_(queue_);
      Event e = queue_.front();
      queue_.pop_front();
      produced_ += is_access(e.kind);
      out[n++] = e;
    }
    return n;
  }
  std::string describe() const override { return description_; }

 private:
  std::string description_;
  uint64_t accesses_, produced_ = 0;
  Round round_;
  std::deque<Event> queue_;
};

}  // namespace hvsim
