// A translation scheme: one way of turning the guest's virtual addresses into host-physical ones,
// with its own TLBs, walk caches and costs. Schemes register themselves by name; the runner
// hands every scheme the same batches of events.
#pragma once
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>

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
  // Forgets what was measured so far (after a warm-up) while keeping all state: TLBs, caches,
  // tables. Schemes with counters of their own reset them too.
  virtual void reset_stats() { stats = SchemeStats{}; }

  std::string name;
  SchemeStats stats;
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

#define HVSIM_REGISTER_SCHEME(ident, name, description, order, factory) \
  static const bool hvsim_scheme_registered_##ident =                   \
      ::hvsim::SchemeRegistry::instance().add(name, description, factory, order)

// Reads `section.key` from the profile's scheme sections (`[switching] window = 100000`).
uint64_t scheme_param_u64(const Profile& p, const std::string& key, uint64_t fallback, uint64_t lo,
                          uint64_t hi);
double scheme_param_double(const Profile& p, const std::string& key, double fallback, double lo, double hi);
// Rejects keys of `section` (the scheme's name) other than `known`, naming them and the known ones.
void check_scheme_keys(const Profile& p, const std::string& section,
                       std::initializer_list<const char*> known);

}  // namespace hvsim
