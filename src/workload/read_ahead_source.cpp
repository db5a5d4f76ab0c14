#include "workload/read_ahead_source.h"

#include <algorithm>

namespace hvsim {

ReadAheadSource::ReadAheadSource(std::unique_ptr<EventSource> inner, size_t chunk_events)
    : inner_(std::move(inner)), description_(inner_->describe()) {
  for (Chunk& c : chunks_) c.events.resize(std::max<size_t>(chunk_events, 1));
  reader_ = std::thread([this] { read_loop(); });
}

ReadAheadSource::~ReadAheadSource() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  reader_.join();
}

// Fills chunks in stream order while one is free; a chunk of no events ends the stream.
void ReadAheadSource::read_loop() {
  for (size_t k = 0;; ++k) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || k < taken_ + 2; });
      if (stop_) return;
    }
    Chunk& c = chunks_[k % 2];  // the consumer is done with it and will not touch it until filled_ > k
    c.error = nullptr;
    try {
      c.size = inner_->next_batch(c.events);
    } catch (...) {
      c.size = 0;
      c.error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      filled_ = k + 1;
    }
    changed_.notify_all();
    if (c.size == 0) return;
  }
}

size_t ReadAheadSource::next_batch(std::span<Event> out) {
  size_t got = 0;
  while (got < out.size() && !ended_) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return filled_ > taken_; });
    }
    Chunk& c = chunks_[taken_ % 2];
    if (c.size == 0) {
      // What was read before an error is delivered first; the error comes with the next call.
      if (c.error && got == 0) std::rethrow_exception(c.error);
      ended_ = !c.error;
      break;
    }
    const size_t n = std::min(out.size() - got, c.size - at_);
    std::copy_n(c.events.begin() + static_cast<std::ptrdiff_t>(at_), n,
                out.begin() + static_cast<std::ptrdiff_t>(got));
    got += n;
    at_ += n;
    if (at_ < c.size) break;
    at_ = 0;
    {
      std::lock_guard lock(mutex_);
      ++taken_;
    }
    changed_.notify_all();
  }
  return got;
}

}  // namespace hvsim
