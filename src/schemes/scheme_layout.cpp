#include "schemes/scheme_layout.h"

#include <fmt/format.h>

#include "hv/host_config.h"
#include "os/guest_config.h"

namespace hvsim {

SchemeLayouts& SchemeLayouts::instance() {
  static SchemeLayouts layouts;
  return layouts;
}

bool SchemeLayouts::declare(const std::string& scheme, SchemeLayoutNeeds needs) {
  needs_[scheme] = needs;
  return true;
}

SchemeLayoutNeeds SchemeLayouts::needs(const std::string& scheme) const {
  auto it = needs_.find(scheme);
  return it == needs_.end() ? SchemeLayoutNeeds{} : it->second;
}

MachineLayout layout_of(const Profile& profile) {
  return {profile.section<HostConfig>().segment_backing, profile.section<GuestConfig>().direct_segment};
}

Profile profile_for_scheme(const Profile& profile, const std::string& scheme) {
  Profile out = profile;
  const SchemeLayoutNeeds needs = SchemeLayouts::instance().needs(scheme);
  if (needs.host_segments) out.section<HostConfig>().segment_backing = *needs.host_segments;
  if (needs.guest_segments) out.section<GuestConfig>().direct_segment = *needs.guest_segments;
  return out;
}

std::string describe_layout(const Profile& profile) {
  const MachineLayout l = layout_of(profile);
  std::string host;
  if (l.host_segments) {
    const ConfigValue segments = profile.value("host.segments");
    host = fmt::format("host segments ({})", value_text(segments));
  } else {
    host = fmt::format("host pages ({}, {})", value_text(profile.value("host.page_size")),
                       value_text(profile.value("host.populate")));
  }
  return fmt::format("{}, guest {} ({})", host, l.guest_segments ? "direct segments" : "pages",
                     value_text(profile.value("guest.page_size")));
}

}  // namespace hvsim
