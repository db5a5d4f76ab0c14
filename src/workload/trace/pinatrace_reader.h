// Intel Pin `pinatrace` output. Two layouts are accepted, line by line:
//   ManualExamples:  "0x401234: R 0x7ffd1230"                 (ip: op addr)
//   SimpleExamples:  "0x401234: W 0x7ffd1230  8 0x2a"          (ip: op addr size [value])
// '#' lines (the header and "#eof") are comments. The data address becomes a load (R) or store
// (W); when enabled, an instruction fetch of the ip is emitted whenever the ip changes, since
// the tool prints one line per memory operand, not per instruction.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "workload/event_source.h"
#include "workload/trace/line_reader.h"

namespace hvsim {

class PinatraceReader final : public EventSource {
 public:
  struct Options {
    bool ifetch = true;
    uint8_t default_size = 8;  // ManualExamples lines carry no size
  };
  explicit PinatraceReader(std::unique_ptr<ByteInput> in) : PinatraceReader(std::move(in), Options{}) {}
  PinatraceReader(std::unique_ptr<ByteInput> in, Options opt) : lines_(std::move(in)), opt_(opt) {}
  size_t next_batch(std::span<Event> out) override;
  std::string describe() const override { return "pinatrace:" + lines_.name(); }

 private:
  LineReader lines_;
  Options opt_;
  uint64_t last_ip_ = ~0ull;
  Event held_{};  // the data access after an emitted ifetch when the batch filled up
  bool has_held_ = false;
};

}  // namespace hvsim
