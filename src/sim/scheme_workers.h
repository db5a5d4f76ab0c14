// Runs the schemes of every batch on `threads` threads: the calling thread and threads - 1
// workers take schemes one at a time from a shared counter until none is left, so a slow scheme
// does not hold up a thread that has finished its share. The calling thread works too: a thread
// waiting at the barrier would spin on a core a scheme could use. Schemes are handed out longest
// first, by how long each took on the last batch, so that the round does not end with one thread
// running a slow scheme it took last while the others wait.
#pragma once
#include <atomic>
#include <barrier>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "common/address.h"
#include "machine/effects.h"
#include "schemes/scheme.h"

namespace hvsim {

class SchemeWorkers {
 public:
  // Scheme s runs on machine `machine_of[s]` and reads that machine's effects `fx[s]`.
  SchemeWorkers(std::vector<std::unique_ptr<Scheme>>& schemes, std::vector<size_t> machine_of,
                std::vector<const BatchEffects*> fx, unsigned threads);
  ~SchemeWorkers();
  SchemeWorkers(const SchemeWorkers&) = delete;
  SchemeWorkers& operator=(const SchemeWorkers&) = delete;

  // Every scheme consumes its machine's span `spans[machine]`; a machine with an empty span sits
  // this round out. With `outs`, scheme s writes its answers to (*outs)[s]. The calling thread
  // first does `alongside` (if any), which must only read what the schemes read, then joins them.
  void run(std::span<const std::span<const Event>> spans, std::vector<std::vector<HostPhysAddr>>* outs,
           const std::function<void()>& alongside = {});

 private:
  // Waking the workers costs more than a small batch (batches get small when copy-on-write and
  // unmaps split them): those run inline.
  static constexpr size_t kInlineBatch = 512;

  void run_scheme(size_t s);
  void take_schemes();
  void keep_error();
  void loop();

  std::vector<std::unique_ptr<Scheme>>& schemes_;
  std::vector<size_t> machine_of_;
  std::vector<const BatchEffects*> fx_;
  unsigned threads_;
  std::barrier<> start_, done_;
  std::vector<std::thread> workers_;
  std::atomic<size_t> next_{0};
  std::vector<size_t> order_;  // the schemes in the order they are handed out
  std::vector<int64_t> took_;  // per scheme: nanoseconds on its last batch
  std::span<const std::span<const Event>> spans_;
  std::vector<std::vector<HostPhysAddr>>* outs_ = nullptr;
  bool stop_ = false;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

}  // namespace hvsim
