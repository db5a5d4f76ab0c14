// The run's memory budget (`hvsim compare --memory-limit`). The simulator's big structures —
// page-table pages, TLB and page-walk-cache arrays, cache tags, frame allocators — reserve their
// bytes here before allocating them, and the run loop checks the process's resident memory
// after every batch, so a run that would outgrow the machine stops with one line naming the
// limit and what grew, never with the OOM killer or a bare std::bad_alloc.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "common/error.h"

namespace hvsim {

enum class MemoryUse : uint8_t { kPageTables, kTlbs, kCaches, kFrames, kCount };

// Thrown when the budget is exceeded; a SimulationError (exit status 3) unless the caller knows
// the configuration alone is to blame (then it reports an InputError).
class MemoryBudgetExceeded : public SimulationError {
 public:
  MemoryBudgetExceeded(const std::string& what, MemoryUse grew) : SimulationError(what), grew(grew) {}
  MemoryUse grew;  // what was growing; kCount: the process as a whole
};

class MemoryBudget {
 public:
  static MemoryBudget& instance();

  // Half of physical memory: what a run may use unless --memory-limit says otherwise.
  static uint64_t default_limit();
  // The process's resident memory now (0 where /proc is unavailable).
  static uint64_t resident_bytes();

  // `source` names the limit in messages, e.g. "--memory-limit 8GiB".
  void set_limit(uint64_t bytes, std::string source);
  uint64_t limit() const { return limit_.load(std::memory_order_relaxed); }
  const std::string& limit_source() const { return source_; }

  // Names the run in progress in messages ("" = setting up, before any event).
  void begin_run(std::string label);
  void end_run();
  // Called by the run loop after each batch: records progress and checks resident memory.
  void note_progress(uint64_t events);

  // Reserves `bytes` for `use` before they are allocated; throws MemoryBudgetExceeded, and
  // reserves nothing, when the reserved total or the resident memory would pass the limit.
  void charge(uint64_t bytes, MemoryUse use);
  void release(uint64_t bytes, MemoryUse use) noexcept;

  uint64_t charged(MemoryUse use) const {
    return used_[static_cast<int>(use)].load(std::memory_order_relaxed);
  }
  uint64_t charged_total() const { return total_.load(std::memory_order_relaxed); }

 private:
  MemoryBudget();
  [[noreturn]] void exceeded(uint64_t need, uint64_t resident, MemoryUse grew) const;

  std::atomic<uint64_t> limit_;
  std::atomic<uint64_t> total_{0};
  std::atomic<uint64_t> used_[static_cast<int>(MemoryUse::kCount)] = {};
  std::atomic<uint64_t> events_{0};
  // Written only between runs, or by the run loop, on the main thread.
  std::string source_, label_;
  uint64_t next_check_ = 0;  // event count of the next resident-memory check
};

// Bytes a structure holds against the budget, released when it goes away; copies reserve again.
template <MemoryUse kUse>
class BudgetCharge {
 public:
  BudgetCharge() = default;
  BudgetCharge(const BudgetCharge& o) { add(o.bytes_); }
  BudgetCharge(BudgetCharge&& o) noexcept : bytes_(std::exchange(o.bytes_, 0)) {}
  BudgetCharge& operator=(const BudgetCharge& o) {
    if (this != &o) set(o.bytes_);
    return *this;
  }
  BudgetCharge& operator=(BudgetCharge&& o) noexcept {
    if (this != &o) {
      MemoryBudget::instance().release(bytes_, kUse);
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  ~BudgetCharge() { MemoryBudget::instance().release(bytes_, kUse); }

  void add(uint64_t bytes) {
    MemoryBudget::instance().charge(bytes, kUse);
    bytes_ += bytes;
  }
  // Holds exactly `bytes` from now on (before a structure is rebuilt at a new size).
  void set(uint64_t bytes) {
    if (bytes > bytes_) {
      add(bytes - bytes_);
    } else {
      MemoryBudget::instance().release(bytes_ - bytes, kUse);
      bytes_ = bytes;
    }
  }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t bytes_ = 0;
};

}  // namespace hvsim
