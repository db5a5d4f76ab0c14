// What one `hvsim io` run simulates: the policy, the I/O cores, the load and the [io] costs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/io_config.h"

namespace hvsim {

// How notifications travel (docs/io.md): kicks by exit with flag suppression, the same with
// VIRTIO_F_EVENT_IDX, no kicks (the I/O core polls), polling for a window after the last request,
// or polling while the request rate is high.
enum class IoPolicy : uint8_t { kExit, kExitEventIdx, kExitless, kHybrid, kHybridRate };
// Who runs the device side: a worker per guest woken by kicks (vhost), K polling cores serving
// the guests round-robin, or nobody (the exit handler on the guest's own core).
enum class IoCoreModel : uint8_t { kAuto, kVhost, kPoll, kNone };
enum class IoArrival : uint8_t { kPoisson, kConstant, kBursty };

struct IoLoad {
  bool closed = true;
  uint32_t outstanding = 1;  // closed: requests each guest keeps in flight
  double think_ns = 0;       // closed: mean (exponential) time from a completion to the next request
  double rate = 0;           // open: requests per second per guest
  IoArrival arrival = IoArrival::kPoisson;
};

struct IoParams {
  uint32_t guests = 1;
  uint32_t io_cores = 1;  // polling cores (kPoll)
  IoCoreModel core_model = IoCoreModel::kAuto;
  IoPolicy policy = IoPolicy::kExit;
  IoLoad load;
  uint64_t size = 1500;        // bytes per request
  uint64_t requests = 100000;  // measured completions, all guests
  uint64_t warmup = 0;         // completions before measuring
  uint64_t seed = 1;
  double frequency_ghz = 2.5;
  IoConfig cfg;
};

const std::vector<std::string>& io_policy_names();
std::string io_policy_name(IoPolicy p);
IoPolicy parse_io_policy(const std::string& text, const std::string& what);
std::string io_core_model_name(IoCoreModel m);
IoCoreModel parse_io_core_model(const std::string& text, const std::string& what);
// "closed:W[:THINK]" (THINK a duration: 10us, 2ms, 500ns) or "open:RATE[:poisson|constant|bursty]".
IoLoad parse_io_load(const std::string& text, const std::string& what);
std::string io_load_text(const IoLoad& l);
// The core model a policy runs on when none is given: vhost for exit policies, polling otherwise.
IoCoreModel resolved_core_model(const IoParams& p);
IoCompletion resolved_completion(const IoParams& p);
// Throws InputError for combinations that cannot run: no guests, more polling cores than
// guests, more outstanding requests than the ring holds, a rate of 0.
void check_io_params(const IoParams& p);

}  // namespace hvsim
