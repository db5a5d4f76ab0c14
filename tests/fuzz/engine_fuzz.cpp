// The differential engine fuzzer: the input bytes steer the plausible-stream generator (processes,
// fork/exec/exit, mmap/munmap/mprotect/madvise/mremap/brk, accesses in and out of mappings) and
// pick the machine layout, batch size and warm-up; every scheme must agree with the reference
// translation on every access (--verify) and the guest's tables with the mapped-page model.
#include <cstdio>
#include <cstdlib>

#include "../engine_differential.h"
#include "common/random.h"
#include "fuzz_common.h"

using namespace hvsim;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::maybe_write_seeds(8, [](int i) -> std::string {
    Rng rng(static_cast<uint64_t>(i) + 1);
    std::string s(2048 + 512 * static_cast<size_t>(i), '\0');
    for (char& c : s) c = static_cast<char>(rng.below(256));
    return s;
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  differential::Case c;
  c.layout = data[0] % differential::layouts().size();
  const size_t batches[] = {2, 3, 5, 17, 64, 256, 1024, 4096};
  c.batch_events = batches[data[1] % 8];
  c.threads = 1;
  c.warmup = data[2] % 4 == 0 ? data[3] : 0;
  ByteChoices choices(data + 4, size - 4);
  std::vector<Event> events = differential::generate(choices, 4000);
  uint64_t accesses = 0;
  for (const Event& e : events) accesses += is_access(e.kind);
  if (c.warmup >= accesses) c.warmup = 0;
  try {
    differential::check(events, c);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine_fuzz: %s\n", e.what());
    std::abort();
  }
  return 0;
}
