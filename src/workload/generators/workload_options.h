// Typed access to a generator's `--set workload.KEY=VALUE` options; a key the generator does not
// read is an error naming it and the keys it has.
#pragma once
#include <fmt/format.h>

#include <set>
#include <string>

#include "common/error.h"
#include "common/page_size.h"
#include "common/units.h"
#include "workload/generator.h"

namespace hvsim {

class WorkloadOptions {
 public:
  WorkloadOptions(const WorkloadParams& p, std::string workload) : p_(p), workload_(std::move(workload)) {}

  uint64_t count(const std::string& key, uint64_t fallback, uint64_t lo, uint64_t hi) {
    const std::string* v = take(key);
    if (!v) return fallback;
    uint64_t n = 0;
    size_t pos = 0;
    try {
      if (!v->empty() && (*v)[0] != '-') n = std::stoull(*v, &pos, 0);
    } catch (const std::exception&) {
      pos = 0;
    }
    if (pos == 0 || pos != v->size() || n < lo || n > hi)
      throw InputError(
          fmt::format("workload.{}: '{}' is not valid; expected an integer from {} to {}", key, *v, lo, hi));
    return n;
  }
  uint64_t size(const std::string& key, uint64_t fallback) {
    const std::string* v = take(key);
    return v ? parse_size(*v, "workload." + key) : fallback;
  }
  bool flag(const std::string& key, bool fallback) {
    const std::string* v = take(key);
    if (!v) return fallback;
    if (*v == "true" || *v == "1") return true;
    if (*v == "false" || *v == "0") return false;
    throw InputError(fmt::format("workload.{}: '{}' is not valid; expected true or false", key, *v));
  }
  // Call after reading every option.
  void done() const {
    for (const auto& [k, _] : p_.options) {
      if (used_.count(k)) continue;
      std::string known;
      for (const auto& u : asked_) known += (known.empty() ? "" : ", ") + u;
      throw InputError(
          fmt::format("workload.{}: the '{}' workload has no such option (it has: {})", k, workload_, known));
    }
  }

 private:
  const std::string* take(const std::string& key) {
    asked_.insert(key);
    auto it = p_.options.find(key);
    if (it == p_.options.end()) return nullptr;
    used_.insert(key);
    return &it->second;
  }
  const WorkloadParams& p_;
  std::string workload_;
  std::set<std::string> used_, asked_;
};

}  // namespace hvsim
