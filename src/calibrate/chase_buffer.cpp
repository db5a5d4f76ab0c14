#include "calibrate/chase_buffer.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hvsim {
namespace {

uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

// "AnonHugePages:      2048 kB" -> 2048 * 1024, for `field`; false if the line is another field.
bool field_bytes(std::string_view line, std::string_view field, uint64_t& out) {
  if (line.size() <= field.size() || line.substr(0, field.size()) != field || line[field.size()] != ':')
    return false;
  uint64_t v = 0;
  for (char c : line.substr(field.size() + 1))
    if (c >= '0' && c <= '9') v = v * 10 + static_cast<uint64_t>(c - '0');
  out = v * 1024;
  return true;
}

// A mapping's header line: "7f12a0000000-7f12e0000000 rw-p ...".
bool mapping_range(std::string_view line, uintptr_t& lo, uintptr_t& hi) {
  const size_t dash = line.find('-'), space = line.find(' ');
  if (dash == std::string_view::npos || space == std::string_view::npos || dash > space) return false;
  char* end = nullptr;
  const std::string a(line.substr(0, dash)), b(line.substr(dash + 1, space - dash - 1));
  lo = std::strtoull(a.c_str(), &end, 16);
  if (*end) return false;
  hi = std::strtoull(b.c_str(), &end, 16);
  return !*end && hi > lo;
}

std::string mib(uint64_t b) { return fmt::format("{} MiB", b >> 20); }

}  // namespace

SmapsFigures parse_smaps(std::string_view smaps, uintptr_t begin, uintptr_t end) {
  SmapsFigures f;
  bool inside = false;
  size_t pos = 0;
  while (pos < smaps.size()) {
    size_t nl = smaps.find('\n', pos);
    if (nl == std::string_view::npos) nl = smaps.size();
    const std::string_view line = smaps.substr(pos, nl - pos);
    pos = nl + 1;
    uintptr_t lo = 0, hi = 0;
    if (mapping_range(line, lo, hi)) {
      inside = lo < end && hi > begin;
      if (inside) f.bytes += std::min(hi, end) - std::max(lo, begin);
      continue;
    }
    if (!inside) continue;
    uint64_t v = 0;
    if (field_bytes(line, "AnonHugePages", v)) f.anon_huge_bytes += v;
    if (field_bytes(line, "Private_Hugetlb", v) || field_bytes(line, "Shared_Hugetlb", v))
      f.hugetlb_bytes += v;
    if (field_bytes(line, "KernelPageSize", v) && f.kernel_page_size == 0) f.kernel_page_size = v;
  }
  return f;
}

ChaseBuffer::ChaseBuffer(uint64_t bytes, PageKind kind) : kind_(kind) {
  size_ = round_up(std::max<uint64_t>(bytes, kSmallPage), kHugePage);
  bool hugetlb = false;
  if (kind == PageKind::kHuge) {
    map_ = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    hugetlb = map_ != MAP_FAILED;
    if (hugetlb) map_bytes_ = size_;
  }
  if (!hugetlb) {
    map_bytes_ = size_ + kHugePage;  // room to align to 2 MiB
    map_ = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map_ == MAP_FAILED)
      throw std::runtime_error(fmt::format("mmap of {}: {}", mib(map_bytes_), std::strerror(errno)));
  }
  const auto addr = reinterpret_cast<uintptr_t>(map_);
  data_ = reinterpret_cast<std::byte*>(round_up(addr, kHugePage));
  if (!hugetlb) {
    const int advice = kind == PageKind::kHuge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
    // Without THP the advice fails; the backing read below says what the pages are.
    [[maybe_unused]] int rc = ::madvise(data_, size_, advice);
  }
  for (uint64_t off = 0; off < size_; off += kSmallPage) data_[off] = std::byte{1};
  read_backing(hugetlb);
}

ChaseBuffer::~ChaseBuffer() {
  if (map_ && map_ != MAP_FAILED) ::munmap(map_, map_bytes_);
}

void ChaseBuffer::read_backing(bool hugetlb) {
  std::ifstream in("/proc/self/smaps");
  std::stringstream text;
  text << in.rdbuf();
  const auto b = reinterpret_cast<uintptr_t>(data_);
  const SmapsFigures f = parse_smaps(text.str(), b, b + size_);
  if (hugetlb) {
    huge_bytes_ = f.hugetlb_bytes ? f.hugetlb_bytes : size_;
    backing_ = fmt::format("MAP_HUGETLB, {} of {} on {} KiB pages", mib(huge_bytes_), mib(size_),
                           (f.kernel_page_size ? f.kernel_page_size : kHugePage) >> 10);
  } else if (kind_ == PageKind::kHuge) {
    huge_bytes_ = f.anon_huge_bytes;
    backing_ = fmt::format("MADV_HUGEPAGE (no hugetlb pool), smaps AnonHugePages {} of {}", mib(huge_bytes_),
                           mib(size_));
  } else {
    huge_bytes_ = f.anon_huge_bytes;
    backing_ = fmt::format("MADV_NOHUGEPAGE, smaps AnonHugePages {} of {}", mib(huge_bytes_), mib(size_));
  }
}

}  // namespace hvsim
