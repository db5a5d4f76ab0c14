// Reads another source on a thread of its own, up to two chunks ahead of the consumer, so that
// decoding a trace (decompressing, parsing, expanding records) overlaps the simulation of the
// events already read. The events, their order and the errors are the inner source's: an error
// the inner source raised is raised again by the next_batch call that reaches where it was
// raised, after every event before it has been delivered.
//
// The reader thread blocks only in the inner source's own reads, so this is for sources that end
// (files), not for a pipe or a terminal that may never deliver: the destructor waits for the
// reader's current read to return.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "workload/event_source.h"

namespace hvsim {

class ReadAheadSource : public EventSource {
 public:
  static constexpr size_t kChunkEvents = size_t{1} << 16;

  explicit ReadAheadSource(std::unique_ptr<EventSource> inner, size_t chunk_events = kChunkEvents);
  ~ReadAheadSource() override;
  ReadAheadSource(const ReadAheadSource&) = delete;
  ReadAheadSource& operator=(const ReadAheadSource&) = delete;

  size_t next_batch(std::span<Event> out) override;
  std::string describe() const override { return description_; }

 private:
  // A chunk the reader filled: `size` events, or the end of the stream (size 0), with the error
  // that ended it if any.
  struct Chunk {
    std::vector<Event> events;
    size_t size = 0;
    std::exception_ptr error;
  };
  void read_loop();

  std::unique_ptr<EventSource> inner_;
  std::string description_;  // read once: the inner source is the reader thread's
  Chunk chunks_[2];
  // Chunk k of the stream is chunks_[k % 2]; the reader has filled `filled_` chunks and the
  // consumer has finished `taken_` of them.
  size_t filled_ = 0, taken_ = 0, at_ = 0;  // at_: events of the current chunk already delivered
  bool stop_ = false, ended_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::thread reader_;
};

}  // namespace hvsim
