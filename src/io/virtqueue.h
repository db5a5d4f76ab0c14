// The notification state of one split virtqueue (virtio 1.x, 2.7): the free-running 16-bit
// avail and used indexes, the flags each side uses to suppress the other's notifications, and
// the VIRTIO_F_EVENT_IDX fields. Descriptors are not modelled, only the indexes, so whether a
// kick or an interrupt is needed comes out of the same arithmetic Linux's virtio_ring uses.
#pragma once
#include <cstdint>

namespace hvsim {

inline constexpr uint16_t kVringAvailFNoInterrupt = 1;  // VRING_AVAIL_F_NO_INTERRUPT
inline constexpr uint16_t kVringUsedFNoNotify = 1;      // VRING_USED_F_NO_NOTIFY

// vring_need_event (virtio spec 2.7.10, include/uapi/linux/virtio_ring.h): notify if the
// other side asked to be told when the index passes `event`, and the move old -> new_idx did.
constexpr bool vring_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx) {
  return static_cast<uint16_t>(new_idx - event - 1) < static_cast<uint16_t>(new_idx - old_idx);
}

struct Virtqueue {
  uint16_t size = 256;
  bool event_idx = false;  // VIRTIO_F_EVENT_IDX negotiated
  // Driver-written (guest).
  uint16_t avail_idx = 0;
  uint16_t avail_flags = 0;
  uint16_t used_event = 0;  // in the avail ring's tail
  // Device-written.
  uint16_t used_idx = 0;
  uint16_t used_flags = 0;
  uint16_t avail_event = 0;  // in the used ring's tail
  // Private to each side.
  uint16_t last_avail = 0;      // device: next entry to consume
  uint16_t last_used = 0;       // driver: next completion to reap
  uint16_t signalled_used = 0;  // device: used_idx at its last interrupt decision

  // Entries the device has not consumed / completions the driver has not reaped.
  uint16_t pending() const { return static_cast<uint16_t>(avail_idx - last_avail); }
  uint16_t unreaped() const { return static_cast<uint16_t>(used_idx - last_used); }
  // In flight in the ring: posted and not yet reaped (at most `size`).
  uint16_t in_ring() const { return static_cast<uint16_t>(avail_idx - last_used); }

  // Driver: posts one entry; true if the device must be kicked (virtqueue_kick_prepare).
  bool post() {
    const uint16_t old = avail_idx++;
    if (event_idx) return vring_need_event(avail_event, avail_idx, old);
    return !(used_flags & kVringUsedFNoNotify);
  }
  // Device: consumes one entry.
  void consume() { ++last_avail; }
  // Device: publishes one completion.
  void complete() { ++used_idx; }
  // Device: true if the driver must be interrupted for completions since the last decision
  // (vhost_notify).
  bool need_interrupt() {
    const uint16_t old = signalled_used;
    signalled_used = used_idx;
    if (event_idx) return vring_need_event(used_event, used_idx, old);
    return !(avail_flags & kVringAvailFNoInterrupt);
  }
  // Driver: reaps one completion.
  void reap() { ++last_used; }

  // Device: stops / starts kicks (vhost_disable_notify / vhost_enable_notify). With EVENT_IDX,
  // disabling writes nothing: an avail_event left behind already suppresses kicks. Enabling
  // returns true when entries arrived meanwhile (the caller must look again).
  void disable_kicks() {
    if (!event_idx) used_flags |= kVringUsedFNoNotify;
  }
  bool enable_kicks() {
    if (event_idx)
      avail_event = last_avail;
    else
      used_flags &= static_cast<uint16_t>(~kVringUsedFNoNotify);
    return pending() != 0;
  }
  // Driver: the same for interrupts (virtqueue_disable_cb / virtqueue_enable_cb).
  void disable_interrupts() {
    if (!event_idx) avail_flags |= kVringAvailFNoInterrupt;
  }
  bool enable_interrupts() {
    if (event_idx)
      used_event = last_used;
    else
      avail_flags &= static_cast<uint16_t>(~kVringAvailFNoInterrupt);
    return unreaped() != 0;
  }
};

}  // namespace hvsim
