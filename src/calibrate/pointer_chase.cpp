#include "calibrate/pointer_chase.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <vector>

#include "common/random.h"

namespace hvsim {
namespace {

// Writes into element order[i] the address of element order[i + 1], the last pointing to the first.
template <class Offset>
void* link_cycle(std::byte* base, uint64_t n, uint64_t seed, Offset offset) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  Rng rng(seed);
  for (uint64_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);  // Fisher-Yates
  auto at = [&](uint64_t i) { return reinterpret_cast<void**>(base + offset(order[i])); };
  for (uint64_t i = 0; i + 1 < n; ++i) *at(i) = at(i + 1);
  *at(n - 1) = at(0);
  return at(0);
}

}  // namespace

void* link_lines(std::byte* base, uint64_t lines, uint64_t seed) {
  return link_cycle(base, std::max<uint64_t>(lines, 1), seed, [](uint64_t i) { return i * kLineBytes; });
}

void* link_pages(std::byte* base, uint64_t pages, uint64_t seed) {
  constexpr uint64_t kLinesPerPage = 4096 / kLineBytes;
  return link_cycle(base, std::max<uint64_t>(pages, 1), seed, [](uint64_t p) {
    return p * 4096 + (p + p / kLinesPerPage) % kLinesPerPage * kLineBytes;
  });
}

void* follow(void* p, uint64_t steps) {
  for (uint64_t i = 0; i < steps; i += 8) {
    p = *static_cast<void**>(p);
    p = *static_cast<void**>(p);
    p = *static_cast<void**>(p);
    p = *static_cast<void**>(p);
    p = *static_cast<void**>(p);
    p = *static_cast<void**>(p);
    p = *static_cast<void**>(p);
    p = *static_cast<void**>(p);
  }
  return p;
}

double timed_follow(void*& p, uint64_t steps) {
  steps = std::max<uint64_t>(8, steps / 8 * 8);
  const auto t0 = std::chrono::steady_clock::now();
  p = follow(p, steps);
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(steps);
}

}  // namespace hvsim
