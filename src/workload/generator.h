// Built-in workload generators, registered by name (`--workload NAME`).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/registry.h"
#include "workload/event_source.h"

namespace hvsim {

struct WorkloadParams {
  uint64_t footprint = 1ull << 30;  // bytes of guest-virtual memory the workload spans
  uint64_t accesses = 1'000'000;    // memory accesses to generate (OS events come on top)
  uint64_t seed = 1;
  // Generator-specific knobs given as `--set workload.KEY=VALUE`; each generator rejects keys it
  // does not know.
  std::map<std::string, std::string> options;
};

// [workload]: each generator's own knobs, kept as text and checked by the generator that reads
// them (workload_options.h), since which keys exist depends on the workload chosen.
struct WorkloadSettings {
  std::map<std::string, std::string> options;
};

// Where generated workloads place their data in the guest-virtual address space.
inline constexpr uint64_t kWorkloadHeapBase = 0x7f0000000000ull & ~((1ull << 30) - 1);

using WorkloadFactory = std::function<std::unique_ptr<EventSource>(const WorkloadParams&)>;
using WorkloadRegistry = Registry<WorkloadFactory>;

#define HVSIM_REGISTER_WORKLOAD(ident, name, description, order, factory) \
  static const bool hvsim_workload_registered_##ident =                   \
      ::hvsim::WorkloadRegistry::instance().add(name, description, factory, order)

}  // namespace hvsim
