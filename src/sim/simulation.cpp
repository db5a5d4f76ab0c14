#include "sim/simulation.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "common/error.h"
#include "schemes/scheme_layout.h"
#include "sim/measurement.h"
#include "sim/scheme_workers.h"

namespace hvsim {

namespace {
std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }
}  // namespace

std::vector<SchemeUnit> scheme_units(const Profile& profile, const std::vector<std::string>& schemes) {
  std::vector<SchemeUnit> units;
  for (const auto& name : schemes) units.push_back({name, &profile});
  return units;
}

Simulation::Simulation(const Profile& profile, MachineSizing sizing, const std::vector<std::string>& schemes,
                       SimulationOptions options)
    : Simulation(scheme_units(profile, schemes), profile, sizing, options) {}

Simulation::Simulation(std::span<const SchemeUnit> units, const Profile& machine_profile,
                       MachineSizing sizing, SimulationOptions options)
    : options_(options), warmup_left_(options.warmup_accesses), epoch_length_(options.epoch_accesses) {
  for (const auto& unit : units) add_scheme(unit, machine_profile, sizing);
  if (machines_.empty()) machines_.push_back(std::make_unique<LayoutMachine>(machine_profile, sizing));
  lead_with_own_layout(layout_of(machine_profile));
  std::vector<const BatchEffects*> fx;
  for (size_t s = 0; s < schemes_.size(); ++s) fx.push_back(&machine_of(s).fx);
  unsigned threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  workers_ = std::make_unique<SchemeWorkers>(schemes_, machine_of_, std::move(fx), threads);
  spans_.resize(machines_.size());
  at_.resize(machines_.size());
  screens_.resize(machines_.size());
  if (options_.verify) {
    outs_.assign(schemes_.size(), std::vector<HostPhysAddr>(options_.max_batch));
    agree_.resize(options_.max_batch);
    if (machines_.size() > 1)
      guest_frames_.assign(machines_.size(), std::vector<uint64_t>(options_.max_batch));
  }
  if (options_.warmup_auto && !warmup_left_)
    auto_.emplace(options_.auto_warmup);
  else
    measuring_ = warmup_left_ == 0;
  measured_from_ = epoch_from_ = snapshot();
}

// The scheme runs on the machine of the layout it needs, made when it is the first to need it;
// its own profile gets that layout too (schemes read the host and guest keys the machine reads).
void Simulation::add_scheme(const SchemeUnit& unit, const Profile& machine_profile, MachineSizing sizing) {
  auto* entry = SchemeRegistry::instance().find(unit.scheme);
  if (!entry) throw InputError(fmt::format("unknown scheme '{}'", unit.scheme));
  Profile on_layout = profile_for_scheme(machine_profile, unit.scheme);
  const MachineLayout layout = layout_of(on_layout);
  size_t m = 0;
  while (m < machines_.size() && !(machines_[m]->shape == layout)) ++m;
  if (m == machines_.size()) machines_.push_back(std::make_unique<LayoutMachine>(on_layout, sizing));
  machine_of_.push_back(m);
  const Profile* profile = unit.profile;
  if (!(layout_of(*unit.profile) == layout)) {
    profiles_.push_back(std::make_unique<Profile>(profile_for_scheme(*unit.profile, unit.scheme)));
    profile = profiles_.back().get();
  }
  SchemeContext ctx{*profile, machines_[m]->machine};
  auto s = entry->factory(ctx);
  s->name = unit.scheme;
  schemes_.push_back(std::move(s));
  costs_.push_back(profile->costs);
}

// Machine 0 paces the batches and counts the first touches the automatic warm-up watches: the
// profile's own layout when a scheme runs on it, else the first layout by name, so that neither
// depends on the order the schemes were named in.
void Simulation::lead_with_own_layout(const MachineLayout& own) {
  size_t lead = 0;
  for (size_t m = 0; m < machines_.size(); ++m) {
    if (machines_[m]->shape == own) {
      lead = m;
      break;
    }
    if (machines_[m]->layout < machines_[lead]->layout) lead = m;
  }
  if (lead == 0) return;
  std::swap(machines_[0], machines_[lead]);
  for (size_t& m : machine_of_) m = m == 0 ? lead : m == lead ? 0 : m;
}

Simulation::~Simulation() = default;

// Machine 0 prepares the longest prefix it takes whole; the other machines take the same events,
// in as many pieces as their own guest needs (where a batch must end depends on the guest's
// pages, e.g. a copy-on-write on a 4 KiB page splits it where one on a 1 GiB page does not), and
// each machine's schemes run on its pieces as they come.
size_t Simulation::step(std::span<const Event> events) {
  if (events.empty() || done()) return 0;
  const uint64_t position = position_;
  const auto offer = events.first(std::min(events.size(), options_.max_batch));
  const size_t n =
      machines_[0]->machine.prepare(offer, machines_[0]->fx, accesses_to_boundary(), &screens_[0], position);
  const std::span<const Event> batch = events.first(n);
  uint64_t accesses = 0, first_touches = 0;
  for (const Event& e : batch) accesses += is_access(e.kind);
  if (auto_ && !measuring_)
    for (const EventEffect& e : machines_[0]->fx.effects) first_touches += e.fault.kind == FaultKind::kDemand;
  if (options_.verify) std::fill_n(agree_.begin(), n, uint8_t{1});
  spans_[0] = batch;
  for (size_t m = 1; m < machines_.size(); ++m)
    spans_[m] = batch.first(
        machines_[m]->machine.prepare(batch, machines_[m]->fx, UINT64_MAX, &screens_[m], position));
  std::fill(at_.begin(), at_.end(), size_t{0});
  const auto ahead = screen_span(events.subspan(n), n);
  // A machine whose tables are final for this batch screens the next one while its schemes run.
  const std::function<void()> screen = [&] {
    for (size_t m = 0; m < machines_.size(); ++m)
      if (!spans_[m].empty() && at_[m] + spans_[m].size() == n) {
        machines_[m]->machine.screen(ahead, position + n, screens_[m]);
        screened_ += ahead.size();
      }
  };
  for (bool behind = true; behind;) {
    workers_->run(spans_, options_.verify ? &outs_ : nullptr, screen);
    behind = false;
    for (size_t m = 0; m < machines_.size(); ++m) {
      if (options_.verify && !spans_[m].empty()) verify(m, spans_[m], at_[m]);
      at_[m] += spans_[m].size();
      spans_[m] = {};
      if (at_[m] == n) continue;
      const auto rest = batch.subspan(at_[m]);
      spans_[m] = rest.first(
          machines_[m]->machine.prepare(rest, machines_[m]->fx, UINT64_MAX, &screens_[m], position + at_[m]));
      behind = true;
    }
  }
  if (options_.verify) settle_verification(batch);
  position_ += n;
  events_ += n;
  after_step(accesses, first_touches);
  return n;
}

// What is worth screening after a batch of `n`: the next batch is likely about as long (a fork,
// a copy-on-write or an unmap cuts batches short for a while), so at most 2n events, which bounds
// the screening to twice the stream however short the batches get; and only up to the first OS
// event, where the next prepare drops the screen anyway.
std::span<const Event> Simulation::screen_span(std::span<const Event> rest, size_t n) const {
  rest = rest.first(std::min({rest.size(), 2 * n, options_.max_batch}));
  size_t accesses = 0;
  while (accesses < rest.size() && is_access(rest[accesses].kind)) ++accesses;
  return rest.first(accesses);
}

// A batch never straddles the end of the warm-up or of an epoch, which is right after its last
// access, so figures are taken exactly there. The machine stops the batch there: counting the
// accesses ahead here instead would rescan the rest of the run for every batch a fork or a
// copy-on-write cuts short.
uint64_t Simulation::accesses_to_boundary() const {
  uint64_t limit = UINT64_MAX;
  if (warmup_left_) {
    limit = warmup_left_;
  } else if (!measuring_) {
    limit = auto_->left();
  } else {
    if (epoch_length_) limit = epoch_first_ + epoch_length_ - accesses_;
    if (options_.measure_accesses) limit = std::min(limit, options_.measure_accesses - accesses_);
  }
  return limit;
}

void Simulation::after_step(uint64_t accesses, uint64_t first_touches) {
  accesses_ += accesses;
  if (warmup_left_) {
    warmup_left_ -= std::min(warmup_left_, accesses);
    if (warmup_left_ == 0) begin_measurement();
    return;
  }
  if (!measuring_) {
    if (auto_->observe(accesses, first_touches)) {
      warmup_reason_ = auto_->reason();
      begin_measurement();
    }
    return;
  }
  if (epoch_length_ && accesses_ == epoch_first_ + epoch_length_) close_epoch();
}

std::vector<SchemeStats> Simulation::snapshot() {
  std::vector<SchemeStats> now;
  for (auto& s : schemes_) {
    s->finish();  // the scheme's own figures, from its counters
    now.push_back(s->stats);
  }
  return now;
}

void Simulation::begin_measurement() {
  warmup_left_ = 0;
  measuring_ = true;
  warmup_done_ += accesses_;
  measured_from_ = epoch_from_ = snapshot();
  epochs_.clear();
  epoch_first_ = 0;
  epoch_length_ = options_.epoch_accesses;
  events_ = accesses_ = verified_ = mismatches_ = 0;
}

void Simulation::close_epoch() {
  std::vector<SchemeStats> now = snapshot();
  Epoch e{epoch_first_, accesses_ - epoch_first_, {}};
  for (size_t i = 0; i < now.size(); ++i) {
    e.schemes.push_back(stats_between(epoch_from_[i], now[i]));
    e.schemes.back().price(costs_[i]);
  }
  epochs_.push_back(std::move(e));
  epoch_from_ = std::move(now);
  epoch_first_ = accesses_;
  if (epochs_.size() < kMaxEpochs) return;
  std::vector<Epoch> merged;
  for (size_t k = 0; k + 1 < epochs_.size(); k += 2) {
    Epoch m = std::move(epochs_[k]);
    m.accesses += epochs_[k + 1].accesses;
    for (size_t i = 0; i < m.schemes.size(); ++i) {
      append_stats(m.schemes[i], epochs_[k + 1].schemes[i]);
      m.schemes[i].price(costs_[i]);
    }
    merged.push_back(std::move(m));
  }
  epochs_ = std::move(merged);
  epoch_length_ *= 2;
}

// The answers of machine m's schemes for `events`, which start at index `at` of the batch, against
// that machine's reference: host-physical addresses differ by layout. The guest-physical answer
// is kept for comparing the machines once all have taken the batch.
void Simulation::verify(size_t m, std::span<const Event> events, size_t at) {
  const Machine& machine = machines_[m]->machine;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& ev = events[i];
    if (!is_access(ev.kind)) continue;
    const auto ref = machine.reference_translate(ev.pid, GuestVirtAddr(ev.addr));
    for (size_t s = 0; s < schemes_.size(); ++s) {
      if (machine_of_[s] != m || (ref && outs_[s][i] == *ref)) continue;
      agree_[at + i] = 0;
      if (!options_.stop_on_mismatch) continue;
      throw SimulationError(
          fmt::format("--verify: scheme '{}' translated access {} (pid {}, guest-virtual {}) to "
                      "host-physical {}, expected {}",
                      schemes_[s]->name, events_ + at + i, ev.pid, hex(ev.addr), hex(outs_[s][i].value),
                      ref ? hex(ref->value) : "a fault"));
    }
    if (guest_frames_.empty()) continue;
    const auto gpa = machine.reference_guest_translate(ev.pid, GuestVirtAddr(ev.addr));
    guest_frames_[m][at + i] = gpa ? gpa->value : kNoGuestFrame;
  }
}

// Machines whose guests place frames alike (the same guest layout) must agree on every access's
// guest-physical address; a guest with direct segments places them elsewhere, so against it
// only whether the access is mapped is compared.
void Simulation::settle_verification(std::span<const Event> batch) {
  for (size_t i = 0; i < batch.size(); ++i) {
    const Event& ev = batch[i];
    if (!is_access(ev.kind)) continue;
    for (size_t m = 1; m < guest_frames_.size(); ++m) {
      const uint64_t want = guest_frames_[0][i], got = guest_frames_[m][i];
      const bool same_guest = machines_[0]->shape.guest_segments == machines_[m]->shape.guest_segments;
      if ((got == kNoGuestFrame) == (want == kNoGuestFrame) && (!same_guest || got == want)) continue;
      const auto frame = [](uint64_t f) { return f == kNoGuestFrame ? std::string("a fault") : hex(f); };
      throw SimulationError(fmt::format(
          "--verify: the machines on layouts '{}' and '{}' disagree on access {} (pid {}, guest-virtual {}): "
          "guest-physical {} against {}",
          machines_[0]->layout, machines_[m]->layout, events_ + i, ev.pid, hex(ev.addr), frame(want),
          frame(got)));
    }
    if (agree_[i])
      ++verified_;
    else
      ++mismatches_;
  }
}

std::vector<SchemeStats> Simulation::finish() {
  if (epoch_length_ && accesses_ > epoch_first_) close_epoch();  // the last, shorter one
  return measured();
}

std::vector<SchemeStats> Simulation::measured() {
  std::vector<SchemeStats> now = snapshot(), out;
  for (size_t i = 0; i < now.size(); ++i) {
    out.push_back(stats_between(measured_from_[i], now[i]));
    out.back().price(costs_[i]);
  }
  return out;
}

}  // namespace hvsim
