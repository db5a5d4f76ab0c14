// os-random: a random but plausible mix of processes, mappings and accesses (see
// plausible_stream.h), for checking that every scheme agrees on streams no hand-written
// workload produces: `hvsim compare --workload os-random --verify --seed N`.
#include "workload/generators/plausible_stream.h"
#include "workload/generators/workload_options.h"

namespace hvsim {
namespace {

class PlausibleSource final : public EventSource {
 public:
  PlausibleSource(const WorkloadParams& p, PlausibleStream::Options o)
      : choices_(p.seed), stream_(choices_, o), accesses_(p.accesses), seed_(p.seed), opt_(o) {}

  size_t next_batch(std::span<Event> out) override {
    size_t n = 0;
    while (n < out.size() && produced_ < accesses_) {
      if (pos_ == pending_.size()) {
        pending_.clear();
        pos_ = 0;
        stream_.step(pending_);
        continue;
      }
      const Event& e = pending_[pos_++];
      produced_ += is_access(e.kind);
      out[n++] = e;
    }
    return n;
  }
  std::string describe() const override {
    return fmt::format("os-random (up to {} processes, bursts of up to {} accesses, seed {})",
                       opt_.max_processes, opt_.max_burst, seed_);
  }

 private:
  RngChoices choices_;
  PlausibleStream stream_;
  uint64_t accesses_, produced_ = 0, seed_;
  PlausibleStream::Options opt_;
  std::vector<Event> pending_;
  size_t pos_ = 0;
};

std::unique_ptr<EventSource> make_os_random(const WorkloadParams& p) {
  WorkloadOptions opt(p, "os-random");
  PlausibleStream::Options o;
  o.max_processes = static_cast<uint32_t>(opt.count("processes", 4, 1, 1024));
  o.max_burst = static_cast<uint32_t>(opt.count("burst", 64, 1, 1 << 20));
  opt.done();
  return std::make_unique<PlausibleSource>(p, o);
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(os_random, "os-random",
                        "random plausible processes, mappings (mmap/munmap/mremap/brk...) and accesses", 30,
                        make_os_random);

}  // namespace hvsim
