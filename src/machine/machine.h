// The simulated machine every scheme shares: one guest OS and one hypervisor. Before the schemes
// see a batch, the machine performs its guest-side effects (demand paging, host population) and
// records them, so each scheme can charge them at its own price. Within a batch mappings are only
// added, never changed, so the shared tables are read-only while schemes run (in parallel).
#pragma once
#include <cstdint>
#include <span>

#include "common/event.h"
#include "common/profile.h"
#include "hv/hypervisor.h"
#include "machine/access_screen.h"
#include "machine/effects.h"
#include "os/guest_os.h"

namespace hvsim {

struct MachineSizing {
  uint64_t guest_memory = 0;
  uint64_t host_memory = 0;
  // Sizes memory from a workload's footprint where the profile leaves it at 0 (auto).
  static MachineSizing for_footprint(const Profile& p, uint64_t footprint);
};

class Machine {
 public:
  Machine(const Profile& profile, MachineSizing sizing);

  // Performs the guest- and host-side effects of a prefix of `batch` and returns its length.
  // The prefix ends before the first event, other than the first, that changes or removes an
  // existing translation (munmap, exit, a copy-on-write…): such an event always starts a batch,
  // so the tables schemes read during a batch are those every event in it saw. A fork or an
  // mprotect ends its batch: schemes copy or re-read the tables as that event left them. The
  // prefix also ends right after its `access_limit`-th access (the end of a warm-up or epoch).
  // With a `screen` of the stream (and `position`, the stream position of batch[0]), the accesses
  // it cleared are not looked up again, until the first OS event the prefix performs.
  size_t prepare(std::span<const Event> batch, BatchEffects& out, uint64_t access_limit = UINT64_MAX,
                 const AccessScreen* screen = nullptr, uint64_t position = 0);
  // Screens `events`, which start at stream position `position`, against the tables as they are
  // now (machine/access_screen.h). Reads only: safe while schemes run on this machine.
  void screen(std::span<const Event> events, uint64_t position, AccessScreen& out) const;

  // The reference answer: guest table then EPT, no cost model. nullopt for an unmapped address.
  std::optional<HostPhysAddr> reference_translate(uint32_t pid, GuestVirtAddr va) const;
  // Its first half: the guest table alone.
  std::optional<GuestPhysAddr> reference_guest_translate(uint32_t pid, GuestVirtAddr va) const;

  GuestOs& guest() { return guest_; }
  const GuestOs& guest() const { return guest_; }
  Hypervisor& hypervisor() { return hv_; }
  const Hypervisor& hypervisor() const { return hv_; }
  const Profile& profile() const { return profile_; }
  uint64_t pool_bytes() const { return pool_bytes_; }

 private:
  const Profile& profile_;
  GuestOs guest_;
  Hypervisor hv_;
  uint64_t pool_bytes_;
  GuestOpEffect op_;  // what the event being prepared did; record() consumes it

  // false: a copy-on-write deferred to the next batch.
  bool prepare_access(uint32_t index, const Event& ev, BatchEffects& out);
  void prepare_os_event(uint32_t index, const Event& ev, BatchEffects& out);
  EventEffect& record(uint32_t index, const Event& ev, const FaultEffect& fault, uint16_t pcid_before,
                      BatchEffects& out);
  void populate_tables(EventEffect& e, std::span<const GuestPhysAddr> tables);
};

}  // namespace hvsim
