// The VM trace readers on fixtures written here for every format (openb pods and nodes, Azure
// V1 plain and V2 gzip, generic CSV), the exact error line for each kind of bad input, and the
// real openb files when ../shared/data has them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cluster/trace_readers.h"
#include "common/error.h"
#include "compress_support.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name, const std::string& content) {
  const fs::path dir = fs::temp_directory_path() / ("hvsim-cluster-readers-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string error_of(const std::string& path, TraceFormat f) {
  try {
    read_vm_trace(path, f);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

const char* kOpenbHeader =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
    "scheduled_time\n";

TEST(ClusterReaders, OpenbPodsSkipNeverScheduledAndShareGpus) {
  const auto path = fixture("pods.csv", std::string(kOpenbHeader) +
                                            "p0,12000,16384,1,460,,LS,Running,0,100,5\n"
                                            "p1,6000,4096,0,0,,BE,Pending,10,20,\n"
                                            "p2,88000,327680,8,1000,,Burstable,Succeeded,30,40,31\n"
                                            "p3,1000,1024,2,1000,,LS,Running,50,,50\n"
                                            "p4,1000,0,0,0,,LS,Succeeded,60,70,60\n");
  const VmTrace t = read_vm_trace(path, TraceFormat::kOpenb);
  ASSERT_EQ(t.vms.size(), 3u);
  EXPECT_EQ(t.skipped_never_ran, 1u);
  EXPECT_EQ(t.vms[0].memory_mib, 16384u);
  EXPECT_EQ(t.vms[0].gpu_milli, 460u);  // a shared GPU
  EXPECT_EQ(t.vms[0].start, 5);         // scheduled, not created
  EXPECT_EQ(t.vms[0].end, 100);
  EXPECT_EQ(t.vms[1].gpu_milli, 8000u);
  EXPECT_EQ(t.vms[2].end, -1);  // still running
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_EQ(t.warnings[0], path + ": 1 pod(s) request no memory; skipped");
}

TEST(ClusterReaders, OpenbWithoutTimesIsArrivalOnlyWithAWarning) {
  const auto path =
      fixture("pods-untimed.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1,2048,0,0\n");
  const VmTrace t = read_vm_trace(path, TraceFormat::kOpenb);
  EXPECT_FALSE(t.has_times);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_EQ(t.warnings[0], path + ": no creation_time column; arrival-only, in file order");
}

TEST(ClusterReaders, AzureV1PlainAndV2Gzip) {
  const auto v1 = fixture("vmtable-v1.csv",
                          "a,s,d,0,3600,10,5,8,Interactive,2,3.5\nb,s,d,60,7200,1,1,1,Unknown,1,0.75\n");
  const VmTrace t1 = read_vm_trace(v1, TraceFormat::kAzureV1);
  ASSERT_EQ(t1.vms.size(), 2u);
  EXPECT_EQ(t1.vms[0].memory_mib, 3584u);
  EXPECT_EQ(t1.vms[0].cpu_milli, 2000u);
  EXPECT_EQ(t1.vms[1].memory_mib, 768u);
  EXPECT_EQ(t1.vms[1].start, 60);
  const auto v2 = fixture("vmtable-v2.csv.gz", test::gzip("a,s,d,0,300,1,1,1,Delay-insensitive,2,4\n"
                                                          "b,s,d,300,600,1,1,1,Interactive,>24,>64\n"));
  const VmTrace t2 = read_vm_trace(v2, TraceFormat::kAzureV2);
  ASSERT_EQ(t2.vms.size(), 2u);
  EXPECT_EQ(t2.vms[0].memory_mib, 4096u);
  EXPECT_EQ(t2.vms[1].memory_mib, 65536u);
  EXPECT_EQ(t2.vms[1].cpu_milli, 24000u);
  ASSERT_EQ(t2.warnings.size(), 1u);
  EXPECT_EQ(t2.warnings[0], v2 + ": 2 open-ended bucket(s) (\">N\") taken as N");
}

TEST(ClusterReaders, GenericCsvWithUnitsAndOpenEnds) {
  const auto path = fixture("vms.csv", "start,end,memory,cpu,gpu\n0,10,4GiB,2,0\n5,,512,0.5,1\n");
  const VmTrace t = read_vm_trace(path, TraceFormat::kCsv);
  ASSERT_EQ(t.vms.size(), 2u);
  EXPECT_EQ(t.vms[0].memory_mib, 4096u);
  EXPECT_EQ(t.vms[1].memory_mib, 512u);
  EXPECT_EQ(t.vms[1].end, -1);
  EXPECT_EQ(t.vms[1].cpu_milli, 500u);
  EXPECT_EQ(t.vms[1].gpu_milli, 1000u);
}

TEST(ClusterReaders, BadInputNamesFileLineAndWhatWasExpected) {
  const std::string h = "start,end,memory\n";
  EXPECT_EQ(error_of(fixture("a.csv", h + "0,10,64\n0,x,64\n"), TraceFormat::kCsv),
            fixture("a.csv", h + "0,10,64\n0,x,64\n") + ":3: column end: 'x' is not an integer");
  const auto neg = fixture("neg.csv", h + "0,10,-64\n");
  EXPECT_EQ(error_of(neg, TraceFormat::kCsv),
            neg + ":2: column memory: '-64' is not a memory size; expected MiB or a size such as 4GiB");
  const auto zero = fixture("zero.csv", h + "0,10,0\n");
  EXPECT_EQ(error_of(zero, TraceFormat::kCsv),
            zero + ":2: column memory: 0 is not a memory size; expected a positive size");
  const auto early = fixture("early.csv", h + "100,10,64\n");
  EXPECT_EQ(error_of(early, TraceFormat::kCsv),
            early + ":2: deleted at 10 before its creation at 100; expected deletion_time >= creation time");
  const auto empty = fixture("empty.csv", "\n\n");
  EXPECT_EQ(error_of(empty, TraceFormat::kCsv),
            empty + ": the file is empty; expected a header line and rows");
  const auto missing = fixture("missing.csv", "start,memory\n0,64\n");
  EXPECT_EQ(error_of(missing, TraceFormat::kCsv),
            missing + ":1: missing column 'end'; the header has: start,memory");
  const auto short_row = fixture("short.csv", "a,s,d,0,300,1\n");
  EXPECT_EQ(error_of(short_row, TraceFormat::kAzureV1),
            short_row + ":1: expected at least 10 comma-separated fields, found 6");
  const auto pod = fixture("pod-early.csv", std::string(kOpenbHeader) + "p0,1,64,0,0,,LS,Running,50,40,50\n");
  EXPECT_EQ(error_of(pod, TraceFormat::kOpenb),
            pod + ":2: deleted at 40 before its creation at 50; expected deletion_time >= creation_time");
  EXPECT_EQ(error_of(fixture("none.csv", h), TraceFormat::kCsv),
            fixture("none.csv", h) + ": no VM rows; expected at least one VM that ran");
  EXPECT_THROW(parse_trace_format("swf"), InputError);
}

TEST(ClusterReaders, HostListsOpenbAndGeneric) {
  const auto openb = fixture(
      "nodes.csv", "sn,cpu_milli,memory_mib,gpu,model\nn0,32000,262144,0,\nn1,96000,786432,8,V100M32\n");
  const auto hosts = read_host_list(openb);
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[1].memory_mib, 786432u);
  EXPECT_EQ(hosts[1].cpu_milli, 96000u);
  EXPECT_EQ(hosts[1].gpu_milli, 8000u);
  const auto generic = fixture("hosts.csv", "memory,cpu\n256GiB,64\n");
  const auto g = read_host_list(generic);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].memory_mib, 262144u);
  EXPECT_EQ(g[0].cpu_milli, 64000u);
}

TEST(ClusterReaders, RealOpenbFiles) {
  const std::string dir = std::string(HVSIM_SHARED_DIR) + "/data/alibaba-gpu-v2023/";
  if (!fs::exists(dir + "openb_pod_list_default.csv")) GTEST_SKIP() << "no " << dir;
  const VmTrace t = read_vm_trace(dir + "openb_pod_list_default.csv", TraceFormat::kOpenb);
  // 8,152 pods, 897 Pending without a scheduled_time, one (line 1525) asking no memory
  // (counted by awk over the file).
  EXPECT_EQ(t.vms.size() + t.skipped_never_ran, 8151u);
  EXPECT_EQ(t.skipped_never_ran, 897u);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_EQ(t.warnings[0], dir + "openb_pod_list_default.csv: 1 pod(s) request no memory; skipped");
  const auto hosts = read_host_list(dir + "openb_node_list_all_node.csv");
  EXPECT_EQ(hosts.size(), 1523u);
}

}  // namespace
}  // namespace hvsim
