#include "hv/machine.h"

#include <algorithm>

#include "common/page_size.h"

namespace hvsim {

MachineSizing MachineSizing::for_footprint(const Profile& p, uint64_t footprint) {
  MachineSizing s;
  auto round_gib = [](uint64_t b) { return (b + kGiB - 1) / kGiB * kGiB; };
  // Memory is sparse (only table pages hold contents), so generous sizes cost nothing; they leave
  // room for aligned 1 GiB pages and page tables.
  s.guest_memory = p.guest_memory ? p.guest_memory : round_gib(2 * footprint + kGiB);
  s.host_memory = p.host_memory ? p.host_memory : round_gib(2 * s.guest_memory + 32 * kGiB);
  return s;
}

Machine::Machine(const Profile& profile, MachineSizing sizing)
    : profile_(profile),
      guest_(profile, sizing.guest_memory),
      hv_(profile, sizing.guest_memory, sizing.host_memory),
      pool_bytes_(std::max<uint64_t>(kGiB, sizing.guest_memory / 16)) {}

void Machine::prepare(std::span<const Event> batch, BatchEffects& out) {
  out.clear();
  for (uint32_t i = 0; i < batch.size(); ++i) {
    const Event& ev = batch[i];
    if (is_access(ev.kind)) {
      uint32_t first = static_cast<uint32_t>(out.writes.size());
      const GuestFault& f = guest_.touch(ev.pid, GuestVirtAddr(ev.addr), out.writes);
      if (!f.faulted) continue;
      EventEffect e;
      e.event_index = i;
      e.guest_fault = true;
      e.guest_size = f.size;
      e.guest_tables_allocated = static_cast<uint8_t>(f.tables_allocated);
      e.first_write = first;
      e.write_count = static_cast<uint32_t>(out.writes.size()) - first;
      // The guest kernel touches each new page (zeroing it): the host backs it now if lazy.
      for (GuestPhysAddr t : f.new_table_pages) {
        PopulateEffect p = hv_.populate(t, page_bytes(PageSize::k4K));
        e.host_pages_populated += p.pages;
        e.host_tables_allocated += p.tables_allocated;
      }
      PopulateEffect p = hv_.populate(f.page, page_bytes(f.size));
      e.host_pages_populated += p.pages;
      e.host_tables_allocated += p.tables_allocated;
      out.effects.push_back(e);
      continue;
    }
    switch (ev.kind) {
      case EventKind::kMmap: guest_.add_region(ev.pid, ev.addr, ev.arg); break;
      case EventKind::kContextSwitch: guest_.space(ev.pid); break;
      default: break;
    }
  }
}

std::optional<HostPhysAddr> Machine::reference_translate(uint32_t pid, GuestVirtAddr va) const {
  const AddressSpace* as = guest_.find_space(pid);
  if (!as) return std::nullopt;
  auto g = as->table->translate(va);
  if (!g) return std::nullopt;
  auto h = hv_.ept().translate(g->addr);
  if (!h) return std::nullopt;
  return h->addr;
}

}  // namespace hvsim
