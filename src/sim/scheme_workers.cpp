#include "sim/scheme_workers.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace hvsim {

SchemeWorkers::SchemeWorkers(std::vector<std::unique_ptr<Scheme>>& schemes, std::vector<size_t> machine_of,
                             std::vector<const BatchEffects*> fx, unsigned threads)
    : schemes_(schemes),
      machine_of_(std::move(machine_of)),
      fx_(std::move(fx)),
      threads_(std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(schemes.size())))),
      start_(threads_),
      done_(threads_) {
  order_.resize(schemes_.size());
  std::iota(order_.begin(), order_.end(), size_t{0});
  took_.assign(schemes_.size(), 0);
  for (unsigned t = 1; t < threads_; ++t) workers_.emplace_back([this] { loop(); });
}

SchemeWorkers::~SchemeWorkers() {
  if (workers_.empty()) return;
  stop_ = true;
  start_.arrive_and_wait();
  for (auto& w : workers_) w.join();
}

void SchemeWorkers::run(std::span<const std::span<const Event>> spans,
                        std::vector<std::vector<HostPhysAddr>>* outs,
                        const std::function<void()>& alongside) {
  spans_ = spans;
  outs_ = outs;
  size_t largest = 0;
  for (const auto& s : spans) largest = std::max(largest, s.size());
  if (workers_.empty() || largest < kInlineBatch) {
    if (alongside) alongside();
    for (size_t s = 0; s < schemes_.size(); ++s) run_scheme(s);
  } else {
    next_.store(0, std::memory_order_relaxed);
    start_.arrive_and_wait();
    if (alongside) {
      try {
        alongside();
      } catch (...) {
        keep_error();
      }
    }
    take_schemes();
    done_.arrive_and_wait();
    std::stable_sort(order_.begin(), order_.end(), [&](size_t a, size_t b) { return took_[a] > took_[b]; });
  }
  if (error_) std::rethrow_exception(error_);
}

void SchemeWorkers::run_scheme(size_t s) {
  const std::span<const Event> events = spans_[machine_of_[s]];
  if (!events.empty()) schemes_[s]->run(events, *fx_[s], outs_ ? (*outs_)[s].data() : nullptr);
}

// Runs schemes until every one has had this round; an error stops this thread's share and is
// rethrown by run() once all threads are done.
void SchemeWorkers::take_schemes() {
  try {
    for (size_t k; (k = next_.fetch_add(1, std::memory_order_relaxed)) < schemes_.size();) {
      const auto start = std::chrono::steady_clock::now();
      run_scheme(order_[k]);
      took_[order_[k]] = (std::chrono::steady_clock::now() - start).count();
    }
  } catch (...) {
    keep_error();
  }
}

void SchemeWorkers::keep_error() {
  std::lock_guard lock(error_mutex_);
  if (!error_) error_ = std::current_exception();
}

void SchemeWorkers::loop() {
  for (;;) {
    start_.arrive_and_wait();
    if (stop_) return;
    take_schemes();
    done_.arrive_and_wait();
  }
}

}  // namespace hvsim
