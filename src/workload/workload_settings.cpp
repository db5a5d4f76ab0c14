#include "common/config_registry.h"
#include "workload/generator.h"

namespace hvsim {

HVSIM_CONFIG_SECTION(WorkloadSettings, "workload", 95, "options of the built-in workload generators") {
  s.open(&WorkloadSettings::options,
         "a generator's own option, e.g. workload.procs=8 for ctxsw; the workload chosen rejects keys it "
         "does not have");
}

}  // namespace hvsim
