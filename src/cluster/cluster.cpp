#include "cluster/cluster.h"

#include <algorithm>

#include "common/error.h"

namespace hvsim {
namespace {

constexpr uint64_t kUnbounded = ~uint64_t{0};

std::vector<Host> build_hosts(const std::vector<HostSpec>& specs, const ClusterConfig& c,
                              AllocatorKind kind) {
  if (specs.empty()) throw InputError("the cluster has no hosts; expected --nodes FILE or --hosts N");
  std::vector<Host> hosts;
  hosts.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) hosts.push_back(make_host(specs[i], c, kind, i));
  return hosts;
}

// Hosts tried for a migration: the emptiest few (each try walks the host's VMs).
constexpr int kMigrationHosts = 8;
constexpr uint32_t kAnyExtents = ~uint32_t{0};

}  // namespace

const char* fail_reason_name(FailReason r) {
  switch (r) {
    case FailReason::kTooLarge:
      return "too_large";
    case FailReason::kNoCapacity:
      return "no_capacity";
    case FailReason::kFragmented:
      return "fragmented";
    case FailReason::kCount:
      break;
  }
  return "?";
}

Cluster::Cluster(const std::vector<HostSpec>& specs, const ClusterConfig& config, AllocatorKind allocator,
                 PlacementPolicy policy)
    : config_(config),
      policy_(policy),
      hosts_(build_hosts(specs, config, allocator)),
      index_(hosts_),
      rng_(config.seed ^ 0xC1A55u) {
  if (policy_.migrate) policy_.segment_aware = true;
  counts_.segments_per_vm.assign(config.segments + 2, 0);
  use_cpu_gpu_ = config.honour_cpu_gpu;
  for (const Host& h : hosts_) {
    usable_units_ += h.usable_units;
    max_units_ = std::max(max_units_, h.usable_units);
    max_cpu_ = h.spec.cpu_milli == 0 ? kUnbounded : std::max(max_cpu_, h.spec.cpu_milli);
    max_gpu_ = std::max(max_gpu_, h.spec.gpu_milli);
  }
}

Cluster::Need Cluster::need_of(const VmRequest& vm) const {
  const uint64_t bytes = vm.memory_mib << 20;
  Need n{(bytes + config_.granule - 1) / config_.granule, 0, 0};
  if (use_cpu_gpu_) n.cpu = vm.cpu_milli, n.gpu = vm.gpu_milli;
  return n;
}

int64_t Cluster::pick(HostKey key, const Need& n, int64_t exclude) {
  auto ok = [&](uint32_t h) { return h != exclude && hosts_[h].fits_cpu_gpu(n.cpu, n.gpu); };
  switch (policy_.base) {
    case PolicyBase::kPacking:
      return index_.first_from(key, n.units, 0, ok);
    case PolicyBase::kTightest:
      return index_.tightest(key, n.units, ok);
    case PolicyBase::kSpreading:
      return index_.emptiest(key, n.units, ok);
    case PolicyBase::kRandom: {
      const auto from = static_cast<uint32_t>(rng_.below(hosts_.size()));
      const int64_t h = index_.first_from(key, n.units, from, ok);
      return h >= 0 ? h : index_.first_from(key, n.units, 0, ok);
    }
  }
  return -1;
}

void Cluster::commit(uint32_t id, uint32_t host, std::vector<Extent> segs, const Need& n) {
  Host& h = hosts_[host];
  h.cpu_used += n.cpu;
  h.gpu_used += n.gpu;
  h.vms.push_back(id);
  for (const Extent& e : segs) given_units_ += e.length;
  placements_[id] = {static_cast<int32_t>(host), std::move(segs)};
  needs_[id] = n;
  index_.update(host);
}

bool Cluster::arrive(uint32_t id, const VmRequest& vm) {
  if (id >= placements_.size()) {
    placements_.resize(id + 1);
    needs_.resize(id + 1);
  }
  ++counts_.arrivals;
  const Need n = need_of(vm);
  auto fail = [&](FailReason r) {
    ++counts_.failed[static_cast<int>(r)];
    return false;
  };
  if (n.units > max_units_ || n.cpu > max_cpu_ || n.gpu > max_gpu_) return fail(FailReason::kTooLarge);
  bool placed = false;
  if (policy_.segment_aware) {
    const int64_t h = pick(HostKey::kHole, n, -1);
    if (h >= 0) {
      commit(id, static_cast<uint32_t>(h), {*hosts_[h].alloc->allocate(n.units)}, n);
      placed = true;
    } else if (policy_.migrate) {
      placed = try_migration(id, n);
    }
  }
  if (!placed) {
    const int64_t h = pick(HostKey::kFree, n, -1);
    if (h < 0) return fail(FailReason::kNoCapacity);
    auto segs = allocate_segments(*hosts_[h].alloc, n.units, config_.segments, config_.split);
    // Beyond the budget the host still has the memory: the VM gets its extents anyway and the
    // memory past its segment registers is paged (as host.segments leaves it in vm-segment).
    if (segs.empty() && config_.split != SplitOrder::kRefuse)
      segs = allocate_segments(*hosts_[h].alloc, n.units, kAnyExtents, config_.split);
    if (segs.empty()) return fail(FailReason::kFragmented);
    commit(id, static_cast<uint32_t>(h), std::move(segs), n);
  }
  const Placement& p = placements_[id];
  ++counts_.placed;
  ++running_;
  ++counts_.segments_per_vm[std::min<size_t>(p.segments.size(), config_.segments + 1)];
  if (p.segments.size() > config_.segments) ++counts_.over_budget;
  if (p.segments.size() == 1) ++counts_.single_segment;
  uint64_t given = 0;
  for (const Extent& e : p.segments) given += e.length * config_.granule;
  counts_.requested_bytes += vm.memory_mib << 20;
  counts_.wasted_bytes += given - (vm.memory_mib << 20);
  counts_.peak_load = std::max(counts_.peak_load, load());
  return true;
}

// Opens a hole for VM `id` by moving one VM off one of the emptiest hosts to a host where it
// fits in one segment. The moved VM keeps its single-segment status or gains it.
bool Cluster::try_migration(uint32_t id, const Need& n) {
  auto fits = [&](uint32_t h) { return hosts_[h].fits_cpu_gpu(n.cpu, n.gpu); };
  std::vector<uint32_t> tried;
  for (int round = 0; round < kMigrationHosts; ++round) {
    const int64_t hh = index_.emptiest(HostKey::kFree, n.units, [&](uint32_t h) {
      return std::find(tried.begin(), tried.end(), h) == tried.end();
    });
    if (hh < 0) return false;
    const auto h = static_cast<uint32_t>(hh);
    tried.push_back(h);
    Host& host = hosts_[h];
    if (host.empty_largest < n.units) continue;  // pinned pages leave no such hole, whatever moves
    for (uint32_t u : std::vector<uint32_t>(host.vms)) {
      const Need& nu = needs_[u];
      for (const Extent& e : placements_[u].segments) host.alloc->release(e);
      host.cpu_used -= nu.cpu;
      host.gpu_used -= nu.gpu;
      const bool room = host.alloc->largest_allocatable() >= n.units && fits(h);
      const int64_t t = room ? pick(HostKey::kHole, nu, h) : -1;
      if (t >= 0) {
        host.vms.erase(std::find(host.vms.begin(), host.vms.end(), u));
        for (const Extent& e : placements_[u].segments) given_units_ -= e.length;
        commit(u, static_cast<uint32_t>(t), {*hosts_[t].alloc->allocate(nu.units)}, nu);
        commit(id, h, {*host.alloc->allocate(n.units)}, n);
        ++counts_.migrations;
        return true;
      }
      for (const Extent& e : placements_[u].segments) host.alloc->take(e);  // put back where it was
      host.cpu_used += nu.cpu;
      host.gpu_used += nu.gpu;
    }
  }
  return false;
}

void Cluster::depart(uint32_t id) {
  if (id >= placements_.size() || placements_[id].host < 0) return;
  Placement& p = placements_[id];
  Host& h = hosts_[p.host];
  for (const Extent& e : p.segments) {
    h.alloc->release(e);
    given_units_ -= e.length;
  }
  h.cpu_used -= needs_[id].cpu;
  h.gpu_used -= needs_[id].gpu;
  auto it = std::find(h.vms.begin(), h.vms.end(), id);
  *it = h.vms.back();
  h.vms.pop_back();
  index_.update(static_cast<uint32_t>(p.host));
  p = Placement{};
  --running_;
}

void Cluster::reset_counts() {
  const size_t k = counts_.segments_per_vm.size();
  counts_ = ClusterCounts{};
  counts_.segments_per_vm.assign(k, 0);
  counts_.peak_load = load();
}

double Cluster::load() const {
  return usable_units_ ? static_cast<double>(given_units_) / static_cast<double>(usable_units_) : 0;
}

double Cluster::fragmentation() const {
  const uint64_t free = index_.total_free();
  return free ? 1.0 - static_cast<double>(index_.total_hole()) / static_cast<double>(free) : 0;
}

}  // namespace hvsim
