// The event stream every scheme consumes: memory accesses and the OS events that change
// address spaces. Fixed-size records so batches are plain arrays.
#pragma once
#include <cstdint>
#include <string_view>

namespace hvsim {

enum class EventKind : uint8_t {
  // Memory accesses: addr = guest-virtual address, size = bytes.
  kLoad = 0,
  kStore = 1,
  kIFetch = 2,
  // OS events (addr/length describe the range where one applies).
  kProcessCreate = 16,  // fork: pid = parent, arg = child pid
  kExec = 17,           // pid's address space replaced
  kProcessExit = 18,    // pid's address space torn down
  kMmap = 19,           // [addr, addr+arg)
  kMunmap = 20,         // [addr, addr+arg)
  kMprotect = 21,       // [addr, addr+arg), flags = new protection (bit0 write)
  kMadviseDontneed = 22,
  kContextSwitch = 23,  // switch to pid
  kTlbShootdown = 24,   // [addr, addr+arg)
  kDmaMap = 25,         // device mapping of [addr, addr+arg)
  kDmaUnmap = 26,
  kBrk = 27,  // program break moved to addr
};

constexpr bool is_access(EventKind k) { return static_cast<uint8_t>(k) < 16; }

struct Event {
  uint64_t addr = 0;  // guest-virtual address (accesses) or range start (OS events)
  uint64_t arg = 0;   // range length, child pid, …; 0 for accesses
  uint32_t pid = 0;   // process (address space) issuing the event
  EventKind kind = EventKind::kLoad;
  uint8_t size = 0;  // access size in bytes
  uint16_t flags = 0;

  static constexpr Event access(EventKind k, uint64_t va, uint8_t bytes, uint32_t pid = 0) {
    Event e;
    e.addr = va;
    e.kind = k;
    e.size = bytes;
    e.pid = pid;
    return e;
  }
  friend bool operator==(const Event&, const Event&) = default;
};
static_assert(sizeof(Event) == 24);

constexpr std::string_view event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::kLoad:
      return "load";
    case EventKind::kStore:
      return "store";
    case EventKind::kIFetch:
      return "ifetch";
    case EventKind::kProcessCreate:
      return "fork";
    case EventKind::kExec:
      return "exec";
    case EventKind::kProcessExit:
      return "exit";
    case EventKind::kMmap:
      return "mmap";
    case EventKind::kMunmap:
      return "munmap";
    case EventKind::kMprotect:
      return "mprotect";
    case EventKind::kMadviseDontneed:
      return "madvise_dontneed";
    case EventKind::kContextSwitch:
      return "context_switch";
    case EventKind::kTlbShootdown:
      return "tlb_shootdown";
    case EventKind::kDmaMap:
      return "dma_map";
    case EventKind::kDmaUnmap:
      return "dma_unmap";
    case EventKind::kBrk:
      return "brk";
  }
  return "unknown";
}

}  // namespace hvsim
