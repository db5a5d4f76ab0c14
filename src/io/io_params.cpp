#include "io/io_params.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "common/error.h"
#include "common/units.h"

namespace hvsim {
namespace {

const std::vector<std::string> kPolicies = {"exit", "exit-eventidx", "exitless", "hybrid", "hybrid-rate"};
const std::vector<std::string> kModels = {"auto", "vhost", "poll", "none"};

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// "10us", "2ms", "500ns", "1s", "0": nanoseconds.
double parse_duration(const std::string& text, const std::string& what) {
  static const std::pair<const char*, double> kUnits[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  for (auto [suffix, scale] : kUnits) {
    const std::string sfx = suffix;
    if (text.size() > sfx.size() && text.compare(text.size() - sfx.size(), sfx.size(), sfx) == 0) {
      const std::string num = text.substr(0, text.size() - sfx.size());
      char* end = nullptr;
      const double v = std::strtod(num.c_str(), &end);
      if (end && *end == 0 && std::isfinite(v) && v >= 0 && v * scale <= 1e12) return v * scale;
      break;
    }
  }
  if (text == "0") return 0;
  throw InputError(fmt::format("{}: '{}' is not a duration; expected e.g. 10us, 2ms, 500ns", what, text));
}

}  // namespace

const std::vector<std::string>& io_policy_names() { return kPolicies; }
std::string io_policy_name(IoPolicy p) { return kPolicies[static_cast<size_t>(p)]; }

IoPolicy parse_io_policy(const std::string& text, const std::string& what) {
  for (size_t i = 0; i < kPolicies.size(); ++i)
    if (kPolicies[i] == text) return static_cast<IoPolicy>(i);
  throw InputError(
      fmt::format("{}: unknown policy '{}'; expected one of: {}", what, text, joined(kPolicies)));
}

std::string io_core_model_name(IoCoreModel m) { return kModels[static_cast<size_t>(m)]; }

IoCoreModel parse_io_core_model(const std::string& text, const std::string& what) {
  for (size_t i = 0; i < kModels.size(); ++i)
    if (kModels[i] == text) return static_cast<IoCoreModel>(i);
  throw InputError(
      fmt::format("{}: unknown I/O core model '{}'; expected one of: {}", what, text, joined(kModels)));
}

IoLoad parse_io_load(const std::string& text, const std::string& what) {
  IoLoad l;
  const auto c1 = text.find(':');
  const std::string kind = text.substr(0, c1);
  if (c1 == std::string::npos || (kind != "closed" && kind != "open"))
    throw InputError(fmt::format(
        "{}: '{}' is not a load; expected closed:W[:THINK] or open:RATE[:poisson|constant|bursty]", what,
        text));
  const auto c2 = text.find(':', c1 + 1);
  const std::string first = text.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
  const std::string second = c2 == std::string::npos ? "" : text.substr(c2 + 1);
  l.closed = kind == "closed";
  if (l.closed) {
    l.outstanding = static_cast<uint32_t>(parse_count(first, what + " (outstanding requests)", 1, 32768));
    if (!second.empty()) l.think_ns = parse_duration(second, what + " (think time)");
    return l;
  }
  l.rate = static_cast<double>(parse_count(first, what + " (requests/s per guest)", 1, 1'000'000'000));
  if (second == "constant")
    l.arrival = IoArrival::kConstant;
  else if (second == "bursty")
    l.arrival = IoArrival::kBursty;
  else if (!second.empty() && second != "poisson")
    throw InputError(
        fmt::format("{}: unknown arrival '{}'; expected poisson, constant or bursty", what, second));
  return l;
}

std::string io_load_text(const IoLoad& l) {
  if (l.closed)
    return l.think_ns > 0 ? fmt::format("closed:{}:{}ns", l.outstanding, l.think_ns)
                          : fmt::format("closed:{}", l.outstanding);
  static const char* const kArr[] = {"poisson", "constant", "bursty"};
  return fmt::format("open:{}:{}", l.rate, kArr[static_cast<size_t>(l.arrival)]);
}

IoCoreModel resolved_core_model(const IoParams& p) {
  if (p.core_model != IoCoreModel::kAuto) return p.core_model;
  if (p.io_cores == 0) return IoCoreModel::kNone;
  const bool exit_based = p.policy == IoPolicy::kExit || p.policy == IoPolicy::kExitEventIdx;
  return exit_based ? IoCoreModel::kVhost : IoCoreModel::kPoll;
}

IoCompletion resolved_completion(const IoParams& p) {
  if (p.cfg.completion != IoCompletion::kAuto) return p.cfg.completion;
  const bool exit_based = p.policy == IoPolicy::kExit || p.policy == IoPolicy::kExitEventIdx;
  return exit_based ? IoCompletion::kInterrupt : IoCompletion::kExitless;
}

void check_io_params(const IoParams& p) {
  if (p.guests == 0) throw InputError("--guests: 0 guests; expected at least 1");
  if (p.guests > 4096) throw InputError(fmt::format("--guests: {} guests; expected at most 4096", p.guests));
  const IoCoreModel m = resolved_core_model(p);
  if (m == IoCoreModel::kPoll && p.io_cores == 0)
    throw InputError("--io-cores: 0 polling cores; expected at least 1 for --io-model poll");
  if (m == IoCoreModel::kPoll && p.io_cores > p.guests)
    throw InputError(
        fmt::format("--io-cores: {} polling cores for {} guest{}; a core serves at least one guest",
                    p.io_cores, p.guests, p.guests == 1 ? "" : "s"));
  if (m == IoCoreModel::kNone && p.policy != IoPolicy::kExit && p.policy != IoPolicy::kExitEventIdx)
    throw InputError(
        fmt::format("--policy {}: needs an I/O core to poll; with no I/O core only exit policies run",
                    io_policy_name(p.policy)));
  if (p.load.closed && p.load.outstanding > p.cfg.queue_size)
    throw InputError(
        fmt::format("--load: {} outstanding requests do not fit a {}-entry virtqueue (io.queue_size)",
                    p.load.outstanding, p.cfg.queue_size));
  if (p.size == 0) throw InputError("--size: 0 bytes; expected at least 1");
}

}  // namespace hvsim
