#include "schemes/scheme.h"

namespace hvsim {

std::string_view event_slot_name(size_t slot) {
  if (slot == kPageFaultSlot) return "page_fault";
  if (slot == kCowFaultSlot) return "cow_fault";
  return event_kind_name(static_cast<EventKind>(slot));
}

}  // namespace hvsim
