#include "workload/generators/plausible_stream.h"

#include <algorithm>

#include "common/page_size.h"
#include "workload/generators/generator_helpers.h"
#include "workload/generators/scripted_source.h"

namespace hvsim {
namespace {
constexpr uint64_t kUserTop = uint64_t{1} << 47;  // x86-64 user space, 4-level paging
constexpr uint64_t kMmapBase = 0x7f0000000000ull;
constexpr uint64_t kHeapBase = 0x555556000000ull;
constexpr size_t kFreedKept = 16;

uint64_t page_down(uint64_t a) { return a & ~(kLayoutPage - 1); }
}  // namespace

PlausibleStream::PlausibleStream(ChoiceSource& choices, Options options) : c_(choices), opt_(options) {
  Process first;
  first.pid = 1;
  first.mmap_top = kMmapBase + c_.below(1 << 20) * kLayoutPage;
  procs_.push_back(first);
}

// One of the process's mappings, chosen at random (it has at least one).
RangeMap::const_iterator PlausibleStream::any_mapping(const Process& p) {
  return std::next(p.maps.begin(), static_cast<long>(c_.below(p.maps.size())));
}

uint64_t PlausibleStream::pick_length() {
  const uint64_t r = c_.below(20);
  if (r < 8) return (1 + c_.below(16)) * kLayoutPage;
  if (r < 12) return (17 + c_.below(496)) * kLayoutPage;
  if (r < 15) return 2 * kMiB;
  if (r < 17) return 2 * kMiB + kLayoutPage;  // glibc's mmap'd chunk for a 2 MiB malloc
  if (r < 19) return (2 + c_.below(62)) * kMiB + c_.below(512) * kLayoutPage;
  return kGiB + c_.below(512) * kLayoutPage;
}

// Where an mmap of `length` lands: a freed range again, over a live mapping (MAP_FIXED), or the
// next top-down slot, sometimes 2 MiB-aligned as THP-aware allocators ask.
uint64_t PlausibleStream::place(Process& p, uint64_t length) {
  const uint64_t how = c_.below(10);
  if (how < 3 && !freed_.empty()) {
    uint64_t start = freed_[c_.below(freed_.size())].first;
    if (start + length <= kUserTop) return start;
  }
  if (how == 3 && !p.maps.empty()) {
    auto it = any_mapping(p);
    if (it->first + length <= kUserTop) return it->first;
  }
  if (p.mmap_top < length + kGiB) p.mmap_top = kMmapBase;
  p.mmap_top -= length;
  if (how < 6) p.mmap_top &= ~(2 * kMiB - 1);
  return p.mmap_top;
}

uint64_t PlausibleStream::pick_address(const Process& p) {
  const uint64_t how = c_.below(100);
  if (how < 80 && !p.maps.empty()) {
    auto it = any_mapping(p);
    const uint64_t pages = (it->second - it->first) / kLayoutPage;
    uint64_t page;
    switch (c_.below(4)) {
      case 0:
        page = 0;
        break;
      case 1:
        page = pages - 1;
        break;
      default:
        page = c_.below(pages);
    }
    return it->first + page * kLayoutPage + c_.below(kLayoutPage / 8) * 8;
  }
  if (how < 88 && p.brk > p.brk_base) return p.brk_base + c_.below(p.brk - p.brk_base) / 8 * 8;
  if (how < 95 && !p.maps.empty()) {  // just outside a mapping
    auto it = any_mapping(p);
    uint64_t a = c_.below(2) ? it->second : it->first - kLayoutPage;
    return a < kUserTop ? a + c_.below(kLayoutPage / 8) * 8 : kMmapBase;
  }
  switch (c_.below(8)) {
    case 0:  // the kernel's direct map, as a whole-system trace shows it (canonical high half)
      return 0xffff888000000000ull + c_.below(1 << 20) * 8;
    case 1:
    case 2:
    case 3:
      return 0x400000 + c_.below(1 << 16) * 8;
    default:
      return c_.below(kUserTop / 8) * 8;
  }
}

void PlausibleStream::accesses(std::vector<Event>& out) {
  const Process& p = current();
  const uint64_t n = 1 + c_.below(opt_.max_burst);
  const uint64_t pattern = c_.below(3);  // random, sequential by words, sequential by pages
  uint64_t a = pick_address(p);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t k = c_.below(20);
    EventKind kind = k < 12 ? EventKind::kLoad : (k < 19 ? EventKind::kStore : EventKind::kIFetch);
    const uint8_t size = static_cast<uint8_t>(1u << c_.below(4));
    out.push_back(Event::access(kind, a & ~uint64_t{size - 1u}, size, p.pid));
    if (pattern == 0)
      a = pick_address(p);
    else
      a += pattern == 1 ? 8 : kLayoutPage;
    if (a >= kUserTop && a < 0xffff800000000000ull) a = pick_address(p);
  }
}

void PlausibleStream::do_mmap(std::vector<Event>& out) {
  Process& p = current();
  const uint64_t length = pick_length();
  const uint64_t start = place(p, length);
  erase_range(p.maps, start, start + length);  // MAP_FIXED replaces what was there
  p.maps[start] = start + length;
  out.push_back(os_event(EventKind::kMmap, p.pid, start, length));
}

void PlausibleStream::do_munmap(std::vector<Event>& out) {
  Process& p = current();
  uint64_t start, end;
  if (p.maps.empty() || c_.below(10) == 0) {
    start = page_down(pick_address(p));
    end = start + pick_length();
  } else {
    auto it = any_mapping(p);
    start = it->first;
    end = it->second;
    const uint64_t pages = (end - start) / kLayoutPage;
    switch (c_.below(6)) {
      case 0:  // the head
        end = start + (1 + c_.below(pages)) * kLayoutPage;
        break;
      case 1:  // the tail
        start += c_.below(pages) * kLayoutPage;
        break;
      case 2: {  // a hole in the middle
        uint64_t first = c_.below(pages), count = 1 + c_.below(pages - first);
        start += first * kLayoutPage;
        end = start + count * kLayoutPage;
        break;
      }
      case 3:  // through the next mapping as well
        if (auto next = std::next(it); next != p.maps.end()) end = next->second;
        break;
      default:  // the whole mapping, as free() of a large chunk does
        break;
    }
  }
  end = std::min(end, kUserTop);
  if (end <= start) return;
  erase_range(p.maps, start, end);
  freed_.push_back({start, end});
  if (freed_.size() > kFreedKept) freed_.erase(freed_.begin());
  out.push_back(os_event(EventKind::kMunmap, p.pid, start, end - start));
}

// mprotect, madvise(DONTNEED), a TLB shootdown or a DMA mapping over part of a mapping.
void PlausibleStream::do_range_op(std::vector<Event>& out, EventKind kind) {
  Process& p = current();
  if (p.maps.empty()) return;
  auto it = any_mapping(p);
  const uint64_t pages = (it->second - it->first) / kLayoutPage;
  const uint64_t first = c_.below(pages), count = 1 + c_.below(std::min<uint64_t>(pages - first, 1024));
  const uint16_t flags = kind == EventKind::kMprotect ? static_cast<uint16_t>(c_.below(2)) : 0;
  out.push_back(os_event(kind, p.pid, it->first + first * kLayoutPage, count * kLayoutPage, flags));
  if (kind == EventKind::kDmaMap && c_.below(2))
    out.push_back(
        os_event(EventKind::kDmaUnmap, p.pid, it->first + first * kLayoutPage, count * kLayoutPage));
}

// As the trace readers render mremap: the old range unmapped, the result mapped with the new
// length (in place when it grows or shrinks there, elsewhere when it moves).
void PlausibleStream::do_mremap(std::vector<Event>& out) {
  Process& p = current();
  if (p.maps.empty()) return;
  auto it = any_mapping(p);
  const uint64_t start = it->first, old_len = it->second - it->first;
  const uint64_t new_len = pick_length();
  uint64_t result = start;
  if (c_.below(2) || start + new_len > kUserTop) result = place(p, new_len);
  erase_range(p.maps, start, start + old_len);
  erase_range(p.maps, result, result + new_len);
  p.maps[result] = result + new_len;
  out.push_back(os_event(EventKind::kMunmap, p.pid, start, old_len));
  out.push_back(os_event(EventKind::kMmap, p.pid, result, new_len));
}

void PlausibleStream::do_brk(std::vector<Event>& out) {
  Process& p = current();
  if (!p.brk_base) {
    p.brk_base = p.brk = kHeapBase + c_.below(1 << 16) * kLayoutPage;
  } else if (c_.below(3) == 0 && p.brk > p.brk_base) {
    p.brk -= (1 + c_.below((p.brk - p.brk_base) / kLayoutPage)) * kLayoutPage;  // the heap shrinks (free)
  } else {
    p.brk += (1 + c_.below(c_.below(2) ? 33 : 1024)) * kLayoutPage;
  }
  out.push_back(os_event(EventKind::kBrk, p.pid, p.brk));
}

void PlausibleStream::do_fork(std::vector<Event>& out) {
  if (procs_.size() >= opt_.max_processes) return do_exit(out);
  Process child = current();
  child.pid = next_pid_++;
  out.push_back(os_event(EventKind::kProcessCreate, current().pid, 0, child.pid));
  procs_.push_back(child);
  if (c_.below(2)) {
    cur_ = procs_.size() - 1;
    out.push_back(os_event(EventKind::kContextSwitch, current().pid));
  }
}

void PlausibleStream::do_exec(std::vector<Event>& out) {
  Process& p = current();
  out.push_back(os_event(EventKind::kExec, p.pid));
  p.maps.clear();
  p.brk_base = p.brk = 0;
  p.mmap_top = kMmapBase + c_.below(1 << 20) * kLayoutPage;
  do_mmap(out);
}

void PlausibleStream::do_exit(std::vector<Event>& out) {
  out.push_back(os_event(EventKind::kProcessExit, current().pid));
  procs_.erase(procs_.begin() + static_cast<long>(cur_));
  if (procs_.empty()) {  // a new program starts in a fresh process
    Process p;
    p.pid = next_pid_++;
    p.mmap_top = kMmapBase + c_.below(1 << 20) * kLayoutPage;
    procs_.push_back(p);
  }
  cur_ = c_.below(procs_.size());
  if (c_.below(4)) out.push_back(os_event(EventKind::kContextSwitch, current().pid));
}

void PlausibleStream::do_switch(std::vector<Event>& out) {
  cur_ = c_.below(procs_.size());
  // Traces of one process tree often carry no switch events: the pid alone changes.
  if (c_.below(4)) out.push_back(os_event(EventKind::kContextSwitch, current().pid));
}

void PlausibleStream::step(std::vector<Event>& out) {
  if (current().maps.empty() && c_.below(4)) return do_mmap(out);
  const uint64_t r = c_.below(200);
  if (r < 110) return accesses(out);
  if (r < 130) return do_mmap(out);
  if (r < 146) return do_munmap(out);
  if (r < 154) return do_range_op(out, EventKind::kMprotect);
  if (r < 162) return do_range_op(out, EventKind::kMadviseDontneed);
  if (r < 166) return do_range_op(out, EventKind::kTlbShootdown);
  if (r < 169) return do_range_op(out, EventKind::kDmaMap);
  if (r < 175) return do_mremap(out);
  if (r < 181) return do_brk(out);
  if (r < 187) return do_fork(out);
  if (r < 190) return do_exec(out);
  if (r < 194) return do_exit(out);
  return do_switch(out);
}

}  // namespace hvsim
