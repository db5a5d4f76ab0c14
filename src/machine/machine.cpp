#include "machine/machine.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/error.h"
#include "common/page_size.h"

namespace hvsim {

MachineSizing MachineSizing::for_footprint(const Profile& p, uint64_t footprint) {
  MachineSizing s;
  auto round_gib = [](uint64_t b) { return (b + kGiB - 1) / kGiB * kGiB; };
  // Memory is sparse (only table pages hold contents), so generous sizes cost nothing; they leave
  // room for aligned 1 GiB pages and page tables.
  const uint64_t guest = p.section<GuestConfig>().memory, host = p.section<HostConfig>().memory;
  s.guest_memory = guest ? guest : round_gib(2 * footprint + kGiB);
  s.host_memory = host ? host : round_gib(2 * s.guest_memory + 32 * kGiB);
  return s;
}

Machine::Machine(const Profile& profile, MachineSizing sizing)
    : profile_(profile),
      guest_(profile.section<GuestConfig>(), profile.section<PagingConfig>(), sizing.guest_memory),
      hv_(profile.section<HostConfig>(), profile.section<PagingConfig>(), sizing.guest_memory,
          sizing.host_memory),
      pool_bytes_(std::max<uint64_t>(kGiB, sizing.guest_memory / 16)) {}

void Machine::populate_tables(EventEffect& e, std::span<const GuestPhysAddr> tables) {
  // The guest kernel zeroes each new table page: the host backs it now if lazy.
  for (GuestPhysAddr t : tables) {
    PopulateEffect p = hv_.populate(t, page_bytes(PageSize::k4K));
    e.host_pages_populated += p.pages;
    e.host_tables_allocated += p.tables_allocated;
  }
}

// Copies what the last guest operation did into the batch's arrays.
EventEffect& Machine::record_op(uint32_t index, BatchEffects& out) {
  EventEffect e;
  e.event_index = index;
  e.first_write = static_cast<uint32_t>(out.writes.size());
  e.write_count = static_cast<uint32_t>(op_.writes.size());
  out.writes.insert(out.writes.end(), op_.writes.begin(), op_.writes.end());
  e.first_table_alloc = static_cast<uint32_t>(out.tables_allocated.size());
  e.table_alloc_count = static_cast<uint32_t>(op_.tables_allocated.size());
  out.tables_allocated.insert(out.tables_allocated.end(), op_.tables_allocated.begin(),
                              op_.tables_allocated.end());
  e.first_table_free = static_cast<uint32_t>(out.tables_freed.size());
  e.table_free_count = static_cast<uint32_t>(op_.tables_freed.size());
  out.tables_freed.insert(out.tables_freed.end(), op_.tables_freed.begin(), op_.tables_freed.end());
  e.first_invalidation = static_cast<uint32_t>(out.invalidations.size());
  e.invalidation_count = static_cast<uint32_t>(op_.invalidations.size());
  out.invalidations.insert(out.invalidations.end(), op_.invalidations.begin(), op_.invalidations.end());
  e.flush_pcid = op_.flush_pcid;
  e.data_pages_allocated = op_.data_pages_allocated;
  e.data_pages_freed = op_.data_pages_freed;
  e.unmapped = op_.unmapped;
  e.guest_tables_allocated = static_cast<uint8_t>(std::min<size_t>(255, op_.tables_allocated.size()));
  populate_tables(e, op_.tables_allocated);
  out.effects.push_back(e);
  return out.effects.back();
}

size_t Machine::prepare(std::span<const Event> batch, BatchEffects& out) {
  out.clear();
  for (uint32_t i = 0; i < batch.size(); ++i) {
    const Event& ev = batch[i];
    if (is_access(ev.kind)) {
      uint32_t first = static_cast<uint32_t>(out.writes.size());
      const GuestFault& f =
          guest_.touch(ev.pid, GuestVirtAddr(ev.addr), ev.kind == EventKind::kStore, i == 0, out.writes);
      if (f.kind == FaultKind::kNone) continue;
      if (f.kind == FaultKind::kDeferred) return i;
      EventEffect e;
      e.event_index = i;
      if (f.kind == FaultKind::kProtection) {
        e.protection_fault = true;
        out.effects.push_back(e);
        continue;
      }
      e.guest_fault = f.kind == FaultKind::kDemand;
      e.cow_fault = f.kind == FaultKind::kCopyOnWrite;
      e.cow_copied = e.cow_fault && f.copied;
      e.guest_size = f.size;
      e.guest_tables_allocated = static_cast<uint8_t>(f.tables_allocated);
      e.first_write = first;
      e.write_count = static_cast<uint32_t>(out.writes.size()) - first;
      e.first_table_alloc = static_cast<uint32_t>(out.tables_allocated.size());
      e.table_alloc_count = static_cast<uint32_t>(f.new_table_pages.size());
      out.tables_allocated.insert(out.tables_allocated.end(), f.new_table_pages.begin(),
                                  f.new_table_pages.end());
      e.data_pages_allocated = e.guest_fault || e.cow_copied ? 1 : 0;
      populate_tables(e, f.new_table_pages);
      if (e.cow_fault) {
        // The page's old translation is stale in this address space's TLB.
        e.first_invalidation = static_cast<uint32_t>(out.invalidations.size());
        e.invalidation_count = 1;
        out.invalidations.push_back(
            {GuestVirtAddr(ev.addr).align_down(page_shift(f.size)).value, guest_.space(ev.pid).pcid, f.size});
      }
      PopulateEffect p = hv_.populate(f.page, page_bytes(f.size));
      e.host_pages_populated += p.pages;
      e.host_tables_allocated += p.tables_allocated;
      out.effects.push_back(e);
      continue;
    }
    // Events that change or remove existing translations must start a batch.
    if (i != 0 && guest_.changes_translations(ev)) return i;
    op_.clear();
    switch (ev.kind) {
      case EventKind::kMmap:
        guest_.mmap(ev.pid, ev.addr, ev.arg, op_);
        record_op(i, out);
        break;
      case EventKind::kBrk:
        guest_.brk(ev.pid, ev.addr, op_);
        record_op(i, out);
        break;
      case EventKind::kContextSwitch:
        guest_.space(ev.pid);
        break;
      case EventKind::kProcessCreate: {
        if (ev.arg > UINT32_MAX || guest_.exists(static_cast<uint32_t>(ev.arg)))
          throw InputError(fmt::format("event {}: fork of pid {} to child pid {}, which already exists", i,
                                       ev.pid, ev.arg));
        guest_.fork(ev.pid, static_cast<uint32_t>(ev.arg), op_);
        record_op(i, out);
        return i + 1;  // schemes copy the tables as they are now: later faults must not show
      }
      case EventKind::kProcessExit:
      case EventKind::kExec: {
        uint16_t pcid = guest_.exists(ev.pid) ? guest_.space(ev.pid).pcid : 0;
        if (ev.kind == EventKind::kExec)
          guest_.exec(ev.pid, op_);
        else
          guest_.exit(ev.pid, op_);
        record_op(i, out).old_pcid = pcid;
        break;
      }
      case EventKind::kMunmap:
        guest_.munmap(ev.pid, ev.addr, ev.arg, op_);
        record_op(i, out);
        break;
      case EventKind::kMadviseDontneed:
        guest_.madvise_dontneed(ev.pid, ev.addr, ev.arg, op_);
        record_op(i, out);
        break;
      case EventKind::kMprotect:
        guest_.mprotect(ev.pid, ev.addr, ev.arg, ev.flags & 1, op_);
        record_op(i, out);
        return i + 1;  // schemes read the new permissions from the tables as they are now
      case EventKind::kTlbShootdown:
        guest_.shootdown(ev.pid, ev.addr, ev.arg, op_);
        record_op(i, out);
        break;
      default:
        break;
    }
  }
  return batch.size();
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
