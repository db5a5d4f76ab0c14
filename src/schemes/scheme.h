// A translation scheme: one way of turning the guest's virtual addresses into host-physical ones,
// with its own TLBs, walk caches and costs. Schemes register themselves by name; the runner
// hands every scheme the same batches of events.
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/event.h"
#include "common/profile.h"
#include "common/registry.h"
#include "common/scheme_stats.h"
#include "machine/machine.h"
#include "paging/translation.h"

namespace hvsim {

struct SchemeContext {
  const Profile& profile;
  Machine& machine;
};

class Scheme {
 public:
  virtual ~Scheme() = default;
  // Consumes one batch. `out`, when not null, receives the final host-physical address of every
  // access event (other events leave their slot untouched).
  virtual void run(std::span<const Event> events, const BatchEffects& fx, HostPhysAddr* out) = 0;
  // Called once after the last batch, to fill scheme-specific details.
  virtual void finish() {}

  std::string name;
  SchemeStats stats;
  // The costs this scheme's decisions read (not only its prices): see SchemeOutcome.
  std::vector<Cost> decision_costs;
};

// Counts one hardware walk of `cost`: a completed one (ok) or one that ended on a non-present
// entry. The shared loop counts a walk's answer; a scheme counts a walk it retries.
inline void count_walk(SchemeStats& s, bool ok, const WalkCost& cost) {
  s.walk_cycles += cost.cycles;
  if (!ok) {
    ++s.faulting_walks;
    s.faulting_walk_refs += cost.refs;
    return;
  }
  ++s.walks;
  s.walk_mem_refs += cost.refs;
}

using SchemeFactory = std::function<std::unique_ptr<Scheme>(SchemeContext&)>;
using SchemeRegistry = Registry<SchemeFactory>;

// A scheme owns the config section of its name (declared with HVSIM_CONFIG_SECTION in its file,
// or none: "the nested scheme has no keys"), listed after the machine's sections.
#define HVSIM_REGISTER_SCHEME(ident, name, description, order, factory)                         \
  static const bool hvsim_scheme_registered_##ident =                                           \
      ::hvsim::SchemeRegistry::instance().add(name, description, factory, order) &&             \
      ::hvsim::ConfigRegistry::instance().reserve(name, std::string("the ") + name + " scheme", \
                                                  1000 + (order))

}  // namespace hvsim
