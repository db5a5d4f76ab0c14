// The memory a pointer chase runs over: an anonymous mapping on 4 KiB pages or on 2 MiB pages,
// every page touched up front. Huge pages come from the hugetlb pool (MAP_HUGETLB) when it has
// enough, else from transparent huge pages (MADV_HUGEPAGE); what was obtained is read back from
// /proc/self/smaps, never assumed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hvsim {

enum class PageKind : uint8_t { kSmall, kHuge };

inline constexpr uint64_t kSmallPage = 4096;
inline constexpr uint64_t kHugePage = 2 * 1024 * 1024;

// What /proc/self/smaps says of the mappings that overlap [begin, end).
struct SmapsFigures {
  uint64_t bytes = 0;             // of those mappings inside [begin, end)
  uint64_t anon_huge_bytes = 0;   // AnonHugePages: transparent huge pages
  uint64_t hugetlb_bytes = 0;     // Private_Hugetlb + Shared_Hugetlb
  uint64_t kernel_page_size = 0;  // KernelPageSize of the first such mapping
};

// Parses smaps text: sums the fields of each mapping that overlaps [begin, end).
SmapsFigures parse_smaps(std::string_view smaps, uintptr_t begin, uintptr_t end);

class ChaseBuffer {
 public:
  // Maps `bytes` (rounded up to whole 2 MiB) aligned to 2 MiB, and touches every page. Throws
  // std::runtime_error naming the call that failed.
  ChaseBuffer(uint64_t bytes, PageKind kind);
  ~ChaseBuffer();
  ChaseBuffer(const ChaseBuffer&) = delete;
  ChaseBuffer& operator=(const ChaseBuffer&) = delete;

  std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }
  PageKind kind() const { return kind_; }
  // Bytes on huge pages, as smaps reports them (hugetlb or AnonHugePages).
  uint64_t huge_bytes() const { return huge_bytes_; }
  // One line for reports: "2 MiB pages: MAP_HUGETLB, 1024 MiB of 1024 MiB".
  const std::string& backing() const { return backing_; }

 private:
  std::byte* data_ = nullptr;
  void* map_ = nullptr;
  uint64_t map_bytes_ = 0, size_ = 0, huge_bytes_ = 0;
  PageKind kind_;
  std::string backing_;
  void read_backing(bool hugetlb);
};

}  // namespace hvsim
