// Events given by a test, handed out in batches (for the tests and the engine fuzzer alike).
#pragma once
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "workload/event_source.h"

namespace hvsim::test {

class VectorSource final : public EventSource {
 public:
  explicit VectorSource(std::vector<Event> events, std::string description = "test events")
      : events_(std::move(events)), description_(std::move(description)) {}
  size_t next_batch(std::span<Event> out) override {
    size_t n = std::min(out.size(), events_.size() - pos_);
    std::copy_n(events_.begin() + static_cast<long>(pos_), n, out.begin());
    pos_ += n;
    return n;
  }
  std::string describe() const override { return description_; }

 private:
  std::vector<Event> events_;
  std::string description_;
  size_t pos_ = 0;
};

}  // namespace hvsim::test
