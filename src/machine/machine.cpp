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
    e.memory.host_pages_populated += p.pages;
    e.memory.host_tables_allocated += p.tables_allocated;
  }
}

namespace {
template <class T>
EffectSlice append(std::vector<T>& to, const std::vector<T>& from) {
  EffectSlice s{static_cast<uint32_t>(to.size()), static_cast<uint32_t>(from.size())};
  to.insert(to.end(), from.begin(), from.end());
  return s;
}

SpaceEffect space_effect(const Event& ev, uint16_t pcid_before) {
  switch (ev.kind) {
    case EventKind::kProcessCreate:
      return {SpaceChange::kForked, static_cast<uint32_t>(ev.arg), 0};
    case EventKind::kExec:
      return {SpaceChange::kReplaced, 0, pcid_before};
    case EventKind::kProcessExit:
      return {SpaceChange::kExited, 0, pcid_before};
    default:
      return {};
  }
}
}  // namespace

// The one place an event's effect is built: from what the guest did (op_, which it consumes),
// the event's kind, and the host memory that newly backs the guest's new table pages.
EventEffect& Machine::record(uint32_t index, const Event& ev, const FaultEffect& fault, uint16_t pcid_before,
                             BatchEffects& out) {
  EventEffect e;
  e.event_index = index;
  e.pid = ev.pid;
  e.fault = fault;
  e.space = space_effect(ev, pcid_before);
  e.unmapped = op_.unmapped;
  e.tables_kept = ev.kind == EventKind::kMadviseDontneed;
  if (ev.kind == EventKind::kMprotect) e.reprotected = {ev.addr, ev.addr + ev.arg};
  e.device_mapping = ev.kind == EventKind::kDmaMap || ev.kind == EventKind::kDmaUnmap;
  e.flush_pcid = op_.flush_pcid;
  e.writes = append(out.writes, op_.writes);
  e.tables_allocated = append(out.tables_allocated, op_.tables_allocated);
  e.tables_freed = append(out.tables_freed, op_.tables_freed);
  e.invalidations = append(out.invalidations, op_.invalidations);
  e.memory.data_pages_allocated = op_.data_pages_allocated;
  e.memory.data_pages_freed = op_.data_pages_freed;
  populate_tables(e, op_.tables_allocated);
  op_.clear();
  out.effects.push_back(e);
  return out.effects.back();
}

size_t Machine::prepare(std::span<const Event> batch, BatchEffects& out, uint64_t access_limit,
                        const AccessScreen* screen, uint64_t position) {
  out.clear();
  op_.clear();
  uint64_t accesses = 0;
  for (uint32_t i = 0; i < batch.size(); ++i) {
    const Event& ev = batch[i];
    if (is_access(ev.kind)) {
      if (!(screen && screen->cleared(position + i)) && !prepare_access(i, ev, out)) return i;
      if (++accesses == access_limit) return i + 1;
      continue;
    }
    screen = nullptr;  // what the screen read may change from here on
    // Events that change or remove existing translations must start a batch.
    if (i != 0 && guest_.changes_translations(ev)) return i;
    prepare_os_event(i, ev, out);
    // Schemes copy (fork) or re-read (mprotect) the tables as this event left them: later
    // faults in the same batch must not show.
    if (ev.kind == EventKind::kProcessCreate || ev.kind == EventKind::kMprotect) return i + 1;
  }
  return batch.size();
}

bool Machine::prepare_access(uint32_t i, const Event& ev, BatchEffects& out) {
  // The fault handler's entry writes go to op_ (empty between events), like an operation's.
  const GuestFault& f =
      guest_.touch(ev.pid, GuestVirtAddr(ev.addr), ev.kind == EventKind::kStore, i == 0, op_.writes);
  if (f.kind == FaultKind::kNone) return true;
  if (f.kind == FaultKind::kDeferred) return false;
  FaultEffect fault{f.kind};
  if (f.kind == FaultKind::kProtection) {  // nothing changed
    record(i, ev, fault, 0, out);
    return true;
  }
  fault.copied = f.kind == FaultKind::kCopyOnWrite && f.copied;
  fault.size = f.size;
  fault.path_tables = static_cast<uint8_t>(f.tables_allocated);
  op_.tables_allocated.assign(f.new_table_pages.begin(), f.new_table_pages.end());
  op_.data_pages_allocated = f.kind == FaultKind::kDemand || fault.copied ? 1 : 0;
  // A copy-on-write makes the page's old translation stale in this address space's TLB.
  if (f.kind == FaultKind::kCopyOnWrite)
    op_.invalidations.push_back(
        {GuestVirtAddr(ev.addr).align_down(page_shift(f.size)).value, guest_.space(ev.pid).pcid, f.size});
  EventEffect& e = record(i, ev, fault, 0, out);
  PopulateEffect p = hv_.populate(f.page, page_bytes(f.size));
  e.memory.host_pages_populated += p.pages;
  e.memory.host_tables_allocated += p.tables_allocated;
  return true;
}

void Machine::prepare_os_event(uint32_t i, const Event& ev, BatchEffects& out) {
  const AddressSpace* before = guest_.find_space(ev.pid);
  const uint16_t pcid_before = before ? before->pcid : 0;
  switch (ev.kind) {
    case EventKind::kMmap:
      guest_.mmap(ev.pid, ev.addr, ev.arg, op_);
      break;
    case EventKind::kBrk:
      guest_.brk(ev.pid, ev.addr, op_);
      break;
    case EventKind::kProcessCreate:
      if (ev.arg > UINT32_MAX || guest_.exists(static_cast<uint32_t>(ev.arg)))
        throw InputError(
            fmt::format("event {}: fork of pid {} to child pid {}, which already exists", i, ev.pid, ev.arg));
      guest_.fork(ev.pid, static_cast<uint32_t>(ev.arg), op_);
      break;
    case EventKind::kExec:
      guest_.exec(ev.pid, op_);
      break;
    case EventKind::kProcessExit:
      guest_.exit(ev.pid, op_);
      break;
    case EventKind::kMunmap:
      guest_.munmap(ev.pid, ev.addr, ev.arg, op_);
      break;
    case EventKind::kMadviseDontneed:
      guest_.madvise_dontneed(ev.pid, ev.addr, ev.arg, op_);
      break;
    case EventKind::kMprotect:
      guest_.mprotect(ev.pid, ev.addr, ev.arg, ev.flags & 1, op_);
      break;
    case EventKind::kTlbShootdown:
      guest_.shootdown(ev.pid, ev.addr, ev.arg, op_);
      break;
    case EventKind::kDmaMap:
    case EventKind::kDmaUnmap:
      break;  // the guest's tables do not change; the hypervisor may have work to do
    case EventKind::kContextSwitch:
      guest_.space(ev.pid);  // schemes see the switch itself; no table changes
      return;
    default:
      return;
  }
  record(i, ev, FaultEffect{}, pcid_before, out);
}

std::optional<GuestPhysAddr> Machine::reference_guest_translate(uint32_t pid, GuestVirtAddr va) const {
  const AddressSpace* as = guest_.find_space(pid);
  if (!as) return std::nullopt;
  auto g = as->table->translate(va);
  if (!g) return std::nullopt;
  return g->addr;
}

std::optional<HostPhysAddr> Machine::reference_translate(uint32_t pid, GuestVirtAddr va) const {
  auto g = reference_guest_translate(pid, va);
  if (!g) return std::nullopt;
  auto h = hv_.ept().translate(*g);
  if (!h) return std::nullopt;
  return h->addr;
}

}  // namespace hvsim
