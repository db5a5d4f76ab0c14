// Common frame of the built-in generators: announce the data region with an mmap event, then
// produce exactly `accesses` accesses from the generator's step function.
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "common/error.h"
#include "workload/generator.h"

namespace hvsim {

template <class Step>
class SyntheticSource final : public EventSource {
 public:
  SyntheticSource(std::string description, const WorkloadParams& params, Step step)
      : description_(std::move(description)), params_(params), step_(std::move(step)) {}

  size_t next_batch(std::span<Event> out) override {
    size_t n = 0;
    if (!announced_ && !out.empty()) {
      Event e;
      e.kind = EventKind::kMmap;
      e.addr = kWorkloadHeapBase;
      e.arg = params_.footprint;
      out[n++] = e;
      announced_ = true;
    }
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size() - n, params_.accesses - produced_));
    for (size_t i = 0; i < want; ++i) out[n + i] = step_();
    produced_ += want;
    return n + want;
  }

  std::string describe() const override { return description_; }

 private:
  std::string description_;
  WorkloadParams params_;
  Step step_;
  bool announced_ = false;
  uint64_t produced_ = 0;
};

template <class Step>
std::unique_ptr<EventSource> make_synthetic(std::string description, const WorkloadParams& p, Step step) {
  return std::make_unique<SyntheticSource<Step>>(std::move(description), p, std::move(step));
}

// Generators take no --set workload.* keys unless they document them.
inline void reject_options(const WorkloadParams& p, const char* workload) {
  if (!p.options.empty())
    throw InputError(
        fmt::format("workload.{}: the '{}' workload has no such option", p.options.begin()->first, workload));
}

}  // namespace hvsim
