// Page sizes of x86-64 radix paging and their level in the tree.
#pragma once
#include <cstdint>
#include <string_view>

namespace hvsim {

enum class PageSize : uint8_t { k4K = 0, k2M = 1, k1G = 2 };
inline constexpr int kPageSizeCount = 3;

constexpr unsigned page_shift(PageSize s) { return 12 + 9 * static_cast<unsigned>(s); }
constexpr uint64_t page_bytes(PageSize s) { return uint64_t{1} << page_shift(s); }
// Level of the radix tree at which a page of this size is a leaf (1 = PT, 2 = PD, 3 = PDPT).
constexpr int leaf_level(PageSize s) { return 1 + static_cast<int>(s); }
constexpr PageSize page_size_at_level(int level) { return static_cast<PageSize>(level - 1); }
constexpr PageSize min_page_size(PageSize a, PageSize b) { return a < b ? a : b; }

constexpr std::string_view page_size_name(PageSize s) {
  switch (s) {
    case PageSize::k4K:
      return "4K";
    case PageSize::k2M:
      return "2M";
    case PageSize::k1G:
      return "1G";
  }
  return "?";
}

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = kKiB * 1024;
inline constexpr uint64_t kGiB = kMiB * 1024;
inline constexpr uint64_t kTiB = kGiB * 1024;

}  // namespace hvsim
