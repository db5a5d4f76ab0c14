// Feeding a Simulation from an event source: the stream is read once, in batches, and each
// batch checked for addresses the guest's paging cannot hold.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "os/canonical.h"
#include "sim/simulation.h"
#include "workload/event_source.h"

namespace hvsim {
namespace {

// Folds canonical addresses and rejects the others (os/canonical.h); `first` is the stream
// index of events[0].
void check_addresses(std::span<Event> events, uint64_t first, int levels, const EventSource& source) {
  for (size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    const Event before = e;
    if (canonicalize(e, levels)) continue;
    const unsigned bits = virtual_address_bits(levels);
    throw InputError(fmt::format(
        "{}: event {} ({}, pid {}): guest-virtual address {:#x}{} is not canonical for {}-level paging; "
        "expected bits 63..{} all equal to bit {}",
        source.describe(), first + i, event_kind_name(before.kind), before.pid, before.addr,
        before.arg && !is_access(before.kind) ? fmt::format(" (length {:#x})", before.arg) : "", levels,
        bits - 1, bits - 1));
  }
}

}  // namespace

uint64_t Simulation::run(EventSource& source, SimulationObserver* observer) {
  // Events wait in `buffer[head, head + have)`: the machine may take only a prefix of what is
  // offered (an event that changes existing translations must start a batch), and the events
  // after a batch are screened while its schemes run, so the buffer holds two batches and is
  // topped up before each.
  std::vector<Event> buffer(2 * std::max<size_t>(options_.max_batch, 1));
  size_t head = 0, have = 0;
  bool source_done = false;
  uint64_t stepped = 0;
  for (;;) {
    if (have == 0) head = 0;
    if (!source_done && have < buffer.size()) {
      if (head > 0) {
        std::copy(buffer.begin() + head, buffer.begin() + head + have, buffer.begin());
        head = 0;
      }
      std::span<Event> free(buffer.data() + have, buffer.size() - have);
      const size_t got = source.next_batch(free);
      if (got == 0) source_done = true;
      check_addresses(free.first(got), stepped + have,
                      machine().profile().section<PagingConfig>().guest_levels, source);
      have += got;
    }
    if (have == 0 || done()) break;
    const size_t n = step(std::span<const Event>(buffer.data() + head, have));
    head += n;
    have -= n;
    stepped += n;
    if (observer) observer->on_progress(stepped);
  }
  return stepped;
}

}  // namespace hvsim
