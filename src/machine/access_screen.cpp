#include "machine/access_screen.h"

#include "machine/machine.h"

namespace hvsim {

// The same test GuestOs::touch makes before it handles a fault, on the const tables.
void Machine::screen(std::span<const Event> events, uint64_t position, AccessScreen& out) const {
  out.begin(position, events.size());
  const AddressSpace* as = nullptr;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& ev = events[i];
    if (!is_access(ev.kind)) continue;
    if (!as || as->pid != ev.pid) as = guest_.find_space(ev.pid);
    if (!as) continue;
    const auto t = as->table->translate(GuestVirtAddr(ev.addr));
    if (t && (ev.kind != EventKind::kStore || t->writable)) out.clear_event(i);
  }
}

}  // namespace hvsim
