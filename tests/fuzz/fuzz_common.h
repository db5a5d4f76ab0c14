// Shared helpers for the libFuzzer targets: drain a reader, and write a seed corpus when
// HVSIM_FUZZ_SEED_DIR is set (run_fuzzers.sh does this before fuzzing).
#pragma once
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "workload/event_source.h"

namespace hvsim::fuzz {

inline void drain(EventSource& s) {
  std::vector<Event> buf(997);
  while (s.next_batch(buf) != 0) {
  }
}

// Calls `make(i)` for seeds 0..n-1 and writes them to $HVSIM_FUZZ_SEED_DIR/seed-i, then exits.
template <class F>
void maybe_write_seeds(int n, F make) {
  const char* dir = std::getenv("HVSIM_FUZZ_SEED_DIR");
  if (!dir) return;
  for (int i = 0; i < n; ++i) {
    std::string s = make(i);
    std::ofstream(std::string(dir) + "/seed-" + std::to_string(i), std::ios::binary) << s;
  }
  std::exit(0);
}

}  // namespace hvsim::fuzz
