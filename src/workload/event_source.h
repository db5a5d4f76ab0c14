// Anything that produces the event stream: a generator, a trace reader.
#pragma once
#include <cstddef>
#include <span>
#include <string>

#include "common/event.h"

namespace hvsim {

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Fills `out` from the front with the next events; returns how many. 0 means the stream ended.
  // Errors in the input throw InputError/FileFormatError naming the file and the offset or line.
  virtual size_t next_batch(std::span<Event> out) = 0;
  // Human-readable description of the stream (workload name and parameters, or file path).
  virtual std::string describe() const = 0;
};

}  // namespace hvsim
