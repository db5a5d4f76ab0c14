// Counts of priced primitives, by where their cycles go. Simulating only counts; pricing the
// counts with a CostTable gives cycles. Column kFixedColumn holds cycles that no costs.* key
// prices: software walks through the cache model and costs a scheme keeps in its own section.
#pragma once
#include <array>
#include <cstdint>

#include "common/costs.h"

namespace hvsim {

inline constexpr size_t kFixedColumn = kCostCount;

struct CostRow {
  std::array<uint64_t, kCostCount + 1> n{};

  uint64_t count(Cost c) const { return n[static_cast<size_t>(c)]; }
  uint64_t fixed() const { return n[kFixedColumn]; }
  uint64_t price(const CostTable& t) const {
    uint64_t cycles = n[kFixedColumn];
    for (size_t i = 0; i < kCostCount; ++i) cycles += n[i] * t.cycles[i];
    return cycles;
  }
  bool empty() const {
    for (uint64_t v : n)
      if (v) return false;
    return true;
  }
  CostRow& operator+=(const CostRow& o) {
    for (size_t i = 0; i < n.size(); ++i) n[i] += o.n[i];
    return *this;
  }
  CostRow& operator-=(const CostRow& o) {
    for (size_t i = 0; i < n.size(); ++i) n[i] -= o.n[i];
    return *this;
  }
  bool operator==(const CostRow&) const = default;
};

}  // namespace hvsim
