// Which accesses of a stretch of the event stream need no fault handling: their page is mapped,
// and writable if they store. The screen is read off the guest's tables without changing them,
// so it can be taken while schemes read the same tables: the machine screens batch k+1 while the
// schemes run batch k, and preparing batch k+1 then skips the lookups of the accesses it cleared.
//
// It stays true for the next prepare() until that prepare performs an OS event: until then
// mappings are only added (demand faults), and a copy-on-write at a batch's start leaves its page
// mapped, so an access that needed no fault handling still needs none (Machine::prepare).
#pragma once
#include <cstdint>
#include <vector>

namespace hvsim {

class AccessScreen {
 public:
  // True if the event at stream position `position` is an access the screen cleared.
  bool cleared(uint64_t position) const {
    const uint64_t i = position - first_;
    return i < length_ && (bits_[i >> 6] >> (i & 63) & 1);
  }
  uint64_t first() const { return first_; }
  uint64_t length() const { return length_; }

  // Starts a screen of `length` events from stream position `first`, none cleared yet.
  void begin(uint64_t first, uint64_t length) {
    first_ = first;
    length_ = length;
    bits_.assign((length + 63) / 64, 0);
  }
  void clear_event(uint64_t index) { bits_[index >> 6] |= uint64_t{1} << (index & 63); }

 private:
  uint64_t first_ = 0, length_ = 0;
  std::vector<uint64_t> bits_;  // bit i: event first_ + i is a cleared access
};

}  // namespace hvsim
