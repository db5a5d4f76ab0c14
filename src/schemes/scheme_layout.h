// The machine layout a scheme runs on: how the hypervisor backs the VM's memory (page by page or
// with host segments) and whether the guest gives processes direct segments. A scheme whose
// mechanism exists only on one layout declares it where it is registered
// (HVSIM_SCHEME_LAYOUT), and runs on that layout whatever the profile says for the other
// schemes: `vm-segment` on a profile with page-by-page backing still gets its host segment.
// Schemes on different layouts run on separate machines fed by the same stream.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "common/profile.h"

namespace hvsim {

// What a scheme needs; unset: whatever the profile says.
struct SchemeLayoutNeeds {
  std::optional<bool> host_segments;   // host.backing = segments (true) or pages (false)
  std::optional<bool> guest_segments;  // guest.direct_segment
};

// The two choices that make machines differ, as a profile sets them.
struct MachineLayout {
  bool host_segments = false;
  bool guest_segments = false;
  friend bool operator==(const MachineLayout&, const MachineLayout&) = default;
};

class SchemeLayouts {
 public:
  static SchemeLayouts& instance();
  bool declare(const std::string& scheme, SchemeLayoutNeeds needs);
  SchemeLayoutNeeds needs(const std::string& scheme) const;  // none declared: both unset

 private:
  std::map<std::string, SchemeLayoutNeeds> needs_;
};

MachineLayout layout_of(const Profile& profile);
// `profile` with `scheme`'s needs applied (a copy; unchanged when it needs nothing different).
Profile profile_for_scheme(const Profile& profile, const std::string& scheme);
// How reports name a layout: "host pages (4K, lazy), guest pages (4K)".
std::string describe_layout(const Profile& profile);

#define HVSIM_SCHEME_LAYOUT(ident, name, ...)              \
  static const bool hvsim_scheme_layout_declared_##ident = \
      ::hvsim::SchemeLayouts::instance().declare(name, ::hvsim::SchemeLayoutNeeds{__VA_ARGS__})

}  // namespace hvsim
