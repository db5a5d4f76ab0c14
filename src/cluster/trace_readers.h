// Readers of the VM traces hvsim cluster replays, each into a VmTrace:
//  * openb: the Alibaba GPU cluster trace (cluster-trace-gpu-v2023, FGD, USENIX ATC 2023) pod list
//    (name,cpu_milli,memory_mib,num_gpu,gpu_milli,…,pod_phase,creation_time,deletion_time,
//    scheduled_time) and node list (sn,cpu_milli,memory_mib,gpu,model);
//  * azure-v1 / azure-v2: the Azure Public Dataset vmtable (no header: vmid, subscription,
//    deployment, created, deleted, max/avg/p95 CPU, category, cores, memory GB); V1 gives exact
//    sizes, V2 buckets ("2", "4", "8", "32", "64", ">64");
//  * csv: a header naming start,end,memory and optionally cpu,gpu (memory in MiB or with a unit).
// Plain or gzip. Every bad row throws FILE:LINE: what was expected.
#pragma once
#include <string>
#include <vector>

#include "cluster/vm_trace.h"

namespace hvsim {

enum class TraceFormat : uint8_t { kOpenb, kAzureV1, kAzureV2, kCsv };

TraceFormat parse_trace_format(const std::string& name);  // throws InputError listing the formats
VmTrace read_vm_trace(const std::string& path, TraceFormat format);
// openb node list, or a csv with a header naming memory (MiB or with a unit) and optionally cpu, gpu.
std::vector<HostSpec> read_host_list(const std::string& path);

}  // namespace hvsim
