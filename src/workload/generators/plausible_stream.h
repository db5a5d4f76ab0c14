// Random but plausible event streams, for differential testing of the whole engine: processes
// that fork, exec, exit and switch; mmap/munmap/mprotect/madvise/mremap/brk at the addresses a
// Linux allocator hands out (top-down mmap area, freed ranges mapped again, 2 MiB-aligned and
// glibc-sized large chunks, MAP_FIXED over live mappings); loads and stores inside, at the edges
// of and outside the mappings. The choices come from a ChoiceSource, so one generator serves a
// seeded workload (`os-random`) and a libFuzzer target that steers it with its input bytes.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "common/event.h"
#include "common/random.h"
#include "common/range_map.h"

namespace hvsim {

class ChoiceSource {
 public:
  virtual ~ChoiceSource() = default;
  // A value in [0, n); n >= 1.
  virtual uint64_t below(uint64_t n) = 0;
  // True once the source has nothing more to say (the stream should end).
  virtual bool exhausted() const = 0;
};

class RngChoices final : public ChoiceSource {
 public:
  explicit RngChoices(uint64_t seed) : rng_(seed) {}
  uint64_t below(uint64_t n) override { return rng_.below(n); }
  bool exhausted() const override { return false; }

 private:
  Rng rng_;
};

// Reads choices from fuzzer bytes: one byte per choice under 256 values, more above. Past the
// end every choice is 0 and exhausted() is true.
class ByteChoices final : public ChoiceSource {
 public:
  ByteChoices(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t below(uint64_t n) override {
    uint64_t v = 0;
    for (uint64_t range = n - 1; range; range >>= 8) v = (v << 8) | (pos_ < size_ ? data_[pos_++] : 0);
    return n ? v % n : 0;
  }
  bool exhausted() const override { return pos_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_, pos_ = 0;
};

class PlausibleStream {
 public:
  struct Options {
    uint32_t max_processes = 4;
    uint32_t max_burst = 64;  // accesses in one burst
  };
  PlausibleStream(ChoiceSource& choices, Options options);

  // Appends the events of one step: an OS operation or a burst of accesses.
  void step(std::vector<Event>& out);

  // What the stream's processes have mapped (for a test's own model of the guest).
  struct Process {
    uint32_t pid = 0;
    RangeMap maps;
    uint64_t brk_base = 0, brk = 0;
    uint64_t mmap_top = 0;  // next top-down placement
  };
  const std::vector<Process>& processes() const { return procs_; }

 private:
  Process& current() { return procs_[cur_]; }
  RangeMap::const_iterator any_mapping(const Process& p);
  uint64_t pick_length();
  uint64_t place(Process& p, uint64_t length);
  uint64_t pick_address(const Process& p);

  void accesses(std::vector<Event>& out);
  void do_mmap(std::vector<Event>& out);
  void do_munmap(std::vector<Event>& out);
  void do_range_op(std::vector<Event>& out, EventKind kind);
  void do_mremap(std::vector<Event>& out);
  void do_brk(std::vector<Event>& out);
  void do_fork(std::vector<Event>& out);
  void do_exec(std::vector<Event>& out);
  void do_exit(std::vector<Event>& out);
  void do_switch(std::vector<Event>& out);

  ChoiceSource& c_;
  Options opt_;
  std::vector<Process> procs_;
  size_t cur_ = 0;
  uint32_t next_pid_ = 2;
  std::vector<std::pair<uint64_t, uint64_t>> freed_;  // recently unmapped ranges, mapped again
};

}  // namespace hvsim
