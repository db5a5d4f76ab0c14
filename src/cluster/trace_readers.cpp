#include "cluster/trace_readers.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "cluster/csv_table.h"
#include "common/error.h"
#include "common/units.h"

namespace hvsim {
namespace {

void check_times(const CsvTable& t, const VmRequest& vm) {
  if (vm.end >= 0 && vm.end < vm.start)
    t.fail(fmt::format("deleted at {} before its creation at {}; expected deletion_time >= creation time",
                       vm.end, vm.start));
}

uint64_t positive_mib(const CsvTable& t, uint64_t mib, const char* column) {
  if (mib == 0) t.fail(fmt::format("column {}: 0 is not a memory size; expected a positive size", column));
  return mib;
}

VmTrace read_openb(const std::string& path) {
  CsvTable t(path, true);
  VmTrace out;
  const size_t mem = t.column("memory_mib"), cpu = t.column("cpu_milli"), ngpu = t.column("num_gpu"),
               gmilli = t.column("gpu_milli");
  const bool timed = t.has_column("creation_time");
  const size_t created = timed ? t.column("creation_time") : 0,
               deleted = timed ? t.column("deletion_time") : 0,
               scheduled = timed ? t.column("scheduled_time") : 0;
  if (!timed) {
    out.has_times = false;
    out.warnings.push_back(path + ": no creation_time column; arrival-only, in file order");
  }
  out.has_cpu = out.has_gpu = true;
  uint64_t no_memory = 0;
  while (t.next()) {
    VmRequest vm;
    // A pod may request no memory (one in openb_pod_list_default): it needs no segment.
    vm.memory_mib = t.unsigned_at(mem, "memory_mib");
    if (vm.memory_mib == 0) {
      ++no_memory;
      continue;
    }
    vm.cpu_milli = t.unsigned_at(cpu, "cpu_milli");
    const uint64_t gpus = t.unsigned_at(ngpu, "num_gpu");
    // A GPU-sharing task (num_gpu 1) asks gpu_milli of one GPU; others whole GPUs (trace README).
    vm.gpu_milli = gpus == 1 ? t.unsigned_at(gmilli, "gpu_milli") : gpus * 1000;
    if (timed) {
      if (t.field(scheduled).empty()) {  // Pending: never ran
        ++out.skipped_never_ran;
        continue;
      }
      const int64_t c = t.signed_at(created, "creation_time");
      vm.start = t.signed_at(scheduled, "scheduled_time");
      if (vm.start < c) t.fail(fmt::format("scheduled at {} before its creation at {}", vm.start, c));
      vm.end = t.field(deleted).empty() ? -1 : t.signed_at(deleted, "deletion_time");
      if (vm.end >= 0 && vm.end < c)
        t.fail(fmt::format("deleted at {} before its creation at {}; expected deletion_time >= creation_time",
                           vm.end, c));
      if (vm.end >= 0 && vm.end < vm.start) vm.end = vm.start;  // deleted while being scheduled
    } else {
      vm.start = static_cast<int64_t>(out.vms.size());
    }
    out.vms.push_back(vm);
  }
  if (no_memory > 0)
    out.warnings.push_back(fmt::format("{}: {} pod(s) request no memory; skipped", path, no_memory));
  return out;
}

// V2's buckets: "N" holds VMs of up to N (GB or cores); ">N" has no upper bound: taken as N.
double azure_size(const CsvTable& t, size_t i, const char* name, bool bucketed, uint64_t& open_buckets) {
  std::string_view s = t.field(i);
  if (bucketed && !s.empty() && s.front() == '>') {
    ++open_buckets;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data() + 1, s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !(v > 0))
      t.fail(fmt::format("column {}: '{}' is not a size bucket; expected N or >N", name, s));
    return v;
  }
  return t.number_at(i, name);
}

VmTrace read_azure(const std::string& path, bool v2) {
  CsvTable t(path, false);
  VmTrace out;
  out.has_cpu = true;
  uint64_t open_buckets = 0;
  while (t.next()) {
    VmRequest vm;
    vm.start = t.signed_at(3, "vmcreated");
    vm.end = t.signed_at(4, "vmdeleted");
    check_times(t, vm);
    const double cores = azure_size(t, 9, "vmcorecount", v2, open_buckets);
    const double gb = azure_size(t, 10, "vmmemory", v2, open_buckets);
    if (!(gb > 0))
      t.fail(
          fmt::format("column vmmemory: '{}' is not a memory size; expected a positive size", t.field(10)));
    vm.memory_mib = static_cast<uint64_t>(std::llround(gb * 1024));
    vm.cpu_milli = static_cast<uint64_t>(std::llround(std::max(cores, 0.0) * 1000));
    out.vms.push_back(vm);
  }
  if (open_buckets > 0)
    out.warnings.push_back(
        fmt::format("{}: {} open-ended bucket(s) (\">N\") taken as N", path, open_buckets));
  return out;
}

// Memory in a generic CSV: MiB, or a size with its unit ("4GiB").
uint64_t memory_field(const CsvTable& t, size_t i) {
  const std::string_view s = t.field(i);
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos)
    return positive_mib(t, t.unsigned_at(i, "memory"), "memory");
  uint64_t bytes = 0;
  try {
    bytes = parse_size(s, "memory");
  } catch (const InputError&) {
    t.fail(fmt::format("column memory: '{}' is not a memory size; expected MiB or a size such as 4GiB", s));
  }
  return positive_mib(t, (bytes + (1 << 20) - 1) >> 20, "memory");
}

VmTrace read_generic(const std::string& path) {
  CsvTable t(path, true);
  VmTrace out;
  const size_t start = t.column("start"), end = t.column("end"), mem = t.column("memory");
  out.has_cpu = t.has_column("cpu");
  out.has_gpu = t.has_column("gpu");
  const size_t cpu = out.has_cpu ? t.column("cpu") : 0, gpu = out.has_gpu ? t.column("gpu") : 0;
  while (t.next()) {
    VmRequest vm;
    vm.start = t.signed_at(start, "start");
    vm.end = t.field(end).empty() ? -1 : t.signed_at(end, "end");
    check_times(t, vm);
    vm.memory_mib = memory_field(t, mem);
    if (out.has_cpu) vm.cpu_milli = static_cast<uint64_t>(std::llround(t.number_at(cpu, "cpu") * 1000));
    if (out.has_gpu) vm.gpu_milli = static_cast<uint64_t>(std::llround(t.number_at(gpu, "gpu") * 1000));
    out.vms.push_back(vm);
  }
  return out;
}

}  // namespace

TraceFormat parse_trace_format(const std::string& name) {
  if (name == "openb") return TraceFormat::kOpenb;
  if (name == "azure-v1") return TraceFormat::kAzureV1;
  if (name == "azure-v2") return TraceFormat::kAzureV2;
  if (name == "csv") return TraceFormat::kCsv;
  throw InputError("--format: '" + name +
                   "' is not a trace format; expected one of: openb, azure-v1, azure-v2, csv");
}

VmTrace read_vm_trace(const std::string& path, TraceFormat format) {
  VmTrace out;
  switch (format) {
    case TraceFormat::kOpenb:
      out = read_openb(path);
      break;
    case TraceFormat::kAzureV1:
      out = read_azure(path, false);
      break;
    case TraceFormat::kAzureV2:
      out = read_azure(path, true);
      break;
    case TraceFormat::kCsv:
      out = read_generic(path);
      break;
  }
  if (out.vms.empty()) throw InputError(path + ": no VM rows; expected at least one VM that ran");
  return out;
}

std::vector<HostSpec> read_host_list(const std::string& path) {
  CsvTable t(path, true);
  std::vector<HostSpec> out;
  const bool openb = t.has_column("memory_mib");
  const size_t mem = openb ? t.column("memory_mib") : t.column("memory");
  const char* cpu_name = openb ? "cpu_milli" : "cpu";
  const bool has_cpu = t.has_column(cpu_name), has_gpu = t.has_column("gpu");
  const size_t cpu = has_cpu ? t.column(cpu_name) : 0, gpu = has_gpu ? t.column("gpu") : 0;
  while (t.next()) {
    HostSpec h;
    h.memory_mib =
        openb ? positive_mib(t, t.unsigned_at(mem, "memory_mib"), "memory_mib") : memory_field(t, mem);
    if (has_cpu)
      h.cpu_milli = openb ? t.unsigned_at(cpu, cpu_name)
                          : static_cast<uint64_t>(std::llround(t.number_at(cpu, cpu_name) * 1000));
    if (has_gpu) h.gpu_milli = static_cast<uint64_t>(std::llround(t.number_at(gpu, "gpu") * 1000));
    out.push_back(h);
  }
  if (out.empty()) throw InputError(path + ": no host rows; expected at least one host");
  return out;
}

}  // namespace hvsim
