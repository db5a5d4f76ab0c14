// Host-mapped gVA -> hPA tables (pv, tpt) follow what an OS event did to the guest's own:
//  - an address space copied (fork): the parent's entries lose write access, the child gets
//    every mapping it inherited;
//  - an address space gone (exit, exec): its table is freed whole (exec's new image starts empty);
//  - a range reprotected (mprotect): write bits follow the guest's;
//  - a range unmapped: leaves cleared and, unless the guest kept its tables (madvise), the
//    tables left empty freed.
#pragma once
#include <cstdint>

#include "hv/host_mapped_tables.h"
#include "machine/effects.h"
#include "os/guest_os.h"

namespace hvsim {

// Returns the table pages freed; the caller flushes its page-walk caches when that is not 0.
template <class OnLeaf, class OnTable>
uint64_t follow_guest(HostMappedTables& tables, const Effect& fx, const GuestOs& os, OnLeaf&& on_leaf,
                      OnTable&& on_table) {
  if (fx->space.gone()) return tables.drop(fx->pid);
  if (fx->space.change == SpaceChange::kForked) {
    tables.fork(os.find_space(fx->pid), os.find_space(fx->space.child), on_leaf, on_table);
    return 0;
  }
  if (!fx->reprotected.empty()) {
    if (const AddressSpace* as = os.find_space(fx->pid))
      tables.reprotect(*as, fx->reprotected.start, fx->reprotected.end);
    return 0;
  }
  if (fx->unmapped.empty()) return 0;
  return tables.zap(fx->pid, fx->unmapped.start, fx->unmapped.end, !fx->tables_kept);
}

}  // namespace hvsim
