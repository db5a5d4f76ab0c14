// The mode of each guest table page under Agile Paging: every page that shadow entries derive
// from is write-protected (shadow mode) until its first trapped write moves it, and the subtree
// below it, to nested mode. Which pages are nested decides where a walk switches from the shadow
// table to the guest's own.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/address.h"
#include "common/flat_map.h"
#include "paging/radix_table.h"

namespace hvsim {

enum class PageMode : uint8_t { kProtected, kNested };

struct PageState {
  PageMode mode = PageMode::kProtected;
  uint8_t level = 1;    // of the guest table page
  uint32_t pid = 0;     // whose table it is
  uint64_t prefix = 0;  // first guest-virtual address it translates
  uint64_t last_write = 0;
};

// The first guest-virtual address that the table page at `level` on va's path translates.
inline uint64_t prefix_at(uint64_t va, int level) { return va & ~((uint64_t{1} << (12 + 9 * level)) - 1); }

class AgilePageModes {
 public:
  bool empty() const { return nested_.empty(); }  // no page is nested
  size_t size() const { return nested_.size(); }  // pages in nested mode

  PageState* find(uint64_t frame) { return states_.find(frame); }
  const PageState* find(uint64_t frame) const { return states_.find(frame); }
  bool is_nested(uint64_t frame) const {
    const PageState* st = states_.find(frame);
    return st && st->mode == PageMode::kNested;
  }

  // The highest guest level whose table page on this path is nested; 0 if none.
  int switch_level(const WalkPath<GuestPhysAddr>& gpath) const {
    for (int i = 0; i < gpath.count; ++i) {
      int l = gpath.steps[i].level;
      if (is_nested(gpath.table_frame_at[l])) return l;
    }
    return 0;
  }

  bool nested_at_or_above(const WalkPath<GuestPhysAddr>& gpath, int level) const {
    if (nested_.empty()) return false;
    for (int i = 0; i < gpath.count && gpath.steps[i].level >= level; ++i)
      if (is_nested(gpath.table_frame_at[gpath.steps[i].level])) return true;
    return false;
  }

  // Shadow entries now derive from the table page `frame` of `pid`: it is write-protected (a page
  // that already has a mode keeps it).
  void protect(uint64_t frame, int level, uint32_t pid, uint64_t prefix) {
    if (states_.find(frame)) return;
    PageState st;
    st.level = static_cast<uint8_t>(level);
    st.pid = pid;
    st.prefix = prefix;
    states_.insert(frame, st);
  }
  // The pages of va's path above the switch level `s`.
  void protect_path(const WalkPath<GuestPhysAddr>& gpath, int s, GuestVirtAddr va, uint32_t pid) {
    for (int i = 0; i < gpath.count && gpath.steps[i].level > s; ++i) {
      int level = gpath.steps[i].level;
      protect(gpath.table_frame_at[level], level, pid, prefix_at(va.value, level));
    }
  }

  void to_nested(uint64_t frame, PageState& st, uint64_t now) {
    st.mode = PageMode::kNested;
    st.last_write = now;
    nested_.push_back(frame);
  }
  // Back to write-protected; returns the page's state.
  PageState to_protected(uint64_t frame) {
    PageState& st = *states_.find(frame);
    st.mode = PageMode::kProtected;
    return st;
  }

  // Calls back(frame) for each nested page not written for `quiet` until `now`, after taking it
  // off the nested list (back may add pages, never nested ones).
  template <class Back>
  void take_quiet(uint64_t now, uint64_t quiet, Back&& back) {
    for (size_t i = 0; i < nested_.size();) {
      const PageState* st = states_.find(nested_[i]);
      if (now - st->last_write < quiet) {
        ++i;
        continue;
      }
      uint64_t frame = nested_[i];
      nested_[i] = nested_.back();
      nested_.pop_back();
      back(frame);
    }
  }

  // A guest table page was freed: it has no mode any more (its frame may be reused).
  void forget(uint64_t frame) {
    if (!states_.find(frame)) return;
    if (auto it = std::find(nested_.begin(), nested_.end(), frame); it != nested_.end()) nested_.erase(it);
    states_.erase(frame);
  }

 private:
  FlatU64Map<PageState> states_{12};  // guest table frame -> mode, for pages shadow entries use
  std::vector<uint64_t> nested_;      // frames in nested mode
};

}  // namespace hvsim
