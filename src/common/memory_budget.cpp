#include "common/memory_budget.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "common/units.h"

namespace hvsim {
namespace {

const char* use_name(int u) {
  switch (static_cast<MemoryUse>(u)) {
    case MemoryUse::kPageTables:
      return "page tables";
    case MemoryUse::kTlbs:
      return "TLBs and page-walk caches";
    case MemoryUse::kCaches:
      return "cache models";
    case MemoryUse::kFrames:
      return "frame allocators";
    case MemoryUse::kCount:
      break;
  }
  return "other";
}

std::string count_text(uint64_t n) {
  if (n >= 1'000'000'000) return fmt::format("{:.1f}G", n / 1e9);
  if (n >= 1'000'000) return fmt::format("{:.1f}M", n / 1e6);
  if (n >= 1'000) return fmt::format("{:.1f}k", n / 1e3);
  return std::to_string(n);
}

}  // namespace

MemoryBudget& MemoryBudget::instance() {
  static MemoryBudget budget;
  return budget;
}

MemoryBudget::MemoryBudget() : limit_(default_limit()) {
  source_ =
      fmt::format("the default --memory-limit {} (half of physical memory)", format_size_approx(limit()));
}

uint64_t MemoryBudget::default_limit() {
  long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return uint64_t{4} << 30;  // unknown machine: a modest guess
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2;
}

uint64_t MemoryBudget::resident_bytes() {
  // /proc/self/statm: "size resident shared ..." in pages. Read with plain system calls: this
  // runs on worker threads and must not allocate.
  int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  unsigned long long size = 0, resident = 0;
  if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

void MemoryBudget::set_limit(uint64_t bytes, std::string source) {
  limit_.store(bytes, std::memory_order_relaxed);
  source_ = std::move(source);
}

void MemoryBudget::begin_run(std::string label) {
  label_ = std::move(label);
  events_.store(0, std::memory_order_relaxed);
  next_check_ = 0;
}

void MemoryBudget::end_run() { label_.clear(); }

void MemoryBudget::note_progress(uint64_t events) {
  events_.store(events, std::memory_order_relaxed);
  // Batches can be a single event (the machine splits them at unmaps and copy-on-write): read
  // /proc at most every few thousand events. Page tables are checked as they grow anyway.
  if (events < next_check_) return;
  next_check_ = events + 4096;
  uint64_t resident = resident_bytes();
  if (resident > limit()) exceeded(0, resident, MemoryUse::kCount);
}

void MemoryBudget::charge(uint64_t bytes, MemoryUse use) {
  if (bytes == 0) return;
  uint64_t total = total_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  uint64_t resident = resident_bytes();
  if (total > limit() || resident + bytes > limit()) {
    total_.fetch_sub(bytes, std::memory_order_relaxed);
    exceeded(bytes, resident, use);
  }
  used_[static_cast<int>(use)].fetch_add(bytes, std::memory_order_relaxed);
}

void MemoryBudget::release(uint64_t bytes, MemoryUse use) noexcept {
  if (bytes == 0) return;
  total_.fetch_sub(bytes, std::memory_order_relaxed);
  used_[static_cast<int>(use)].fetch_sub(bytes, std::memory_order_relaxed);
}

void MemoryBudget::exceeded(uint64_t need, uint64_t resident, MemoryUse grew) const {
  // What the budget holds, with the allocation that failed, and the rest of the process.
  uint64_t parts[static_cast<int>(MemoryUse::kCount)];
  uint64_t reserved = 0;
  for (int u = 0; u < static_cast<int>(MemoryUse::kCount); ++u) {
    parts[u] = charged(static_cast<MemoryUse>(u)) + (u == static_cast<int>(grew) ? need : 0);
    reserved += parts[u];
  }
  const uint64_t total = std::max(reserved, resident + need);
  std::string detail;
  for (int u = 0; u < static_cast<int>(MemoryUse::kCount); ++u)
    if (parts[u])
      detail += fmt::format("{}{} {}", detail.empty() ? "" : ", ", use_name(u), format_size_approx(parts[u]));
  if (total > reserved)
    detail += fmt::format("{}other {}", detail.empty() ? "" : ", ", format_size_approx(total - reserved));
  const std::string what = grew == MemoryUse::kCount ? "the run uses"
                                                     : fmt::format("the simulated {} would bring the run to",
                                                                   use_name(static_cast<int>(grew)));
  const uint64_t events = events_.load(std::memory_order_relaxed);
  if (label_.empty())
    throw MemoryBudgetExceeded(fmt::format("memory budget exceeded before the run: {} {} ({}), over {}", what,
                                           format_size_approx(total), detail, source_),
                               grew);
  throw MemoryBudgetExceeded(
      fmt::format(
          "memory budget exceeded in '{}' {}: {} {} ({}), over {}; raise --memory-limit, or run "
          "fewer --schemes or a smaller --footprint or trace",
          label_,
          events ? fmt::format("after {} events", count_text(events)) : "in the first batch of events", what,
          format_size_approx(total), detail, source_),
      grew);
}

}  // namespace hvsim
