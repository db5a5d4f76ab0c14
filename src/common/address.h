// Strong types for the three address spaces, so a guest-physical address can never be passed
// where a host-physical one is expected.
#pragma once
#include <compare>
#include <cstdint>

namespace hvsim {

template <class Space>
struct Addr {
  uint64_t value = 0;

  constexpr Addr() = default;
  constexpr explicit Addr(uint64_t v) : value(v) {}

  constexpr Addr operator+(uint64_t off) const { return Addr(value + off); }
  constexpr Addr operator-(uint64_t off) const { return Addr(value - off); }
  constexpr uint64_t operator-(Addr other) const { return value - other.value; }
  constexpr auto operator<=>(const Addr&) const = default;

  // Address of the enclosing aligned block of 2^shift bytes.
  constexpr Addr align_down(unsigned shift) const { return Addr(value & ~((uint64_t{1} << shift) - 1)); }
  constexpr uint64_t offset_in(unsigned shift) const { return value & ((uint64_t{1} << shift) - 1); }
  constexpr uint64_t number(unsigned shift) const { return value >> shift; }
};

struct GuestVirtualSpace {};
struct GuestPhysicalSpace {};
struct HostPhysicalSpace {};

using GuestVirtAddr = Addr<GuestVirtualSpace>;
using GuestPhysAddr = Addr<GuestPhysicalSpace>;
using HostPhysAddr = Addr<HostPhysicalSpace>;

}  // namespace hvsim
