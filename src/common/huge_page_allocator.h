// An allocator for the simulator's large, randomly accessed arrays (page-table pages, cache
// tags): big allocations ask the kernel for transparent huge pages, so that simulating TLB
// misses does not itself cause host TLB misses on every access.
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace hvsim {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;
inline constexpr size_t kHugeAllocThreshold = size_t{1} << 20;

inline void* huge_page_alloc(size_t bytes) {
  if (bytes < kHugeAllocThreshold) {
    void* p = std::malloc(bytes ? bytes : 1);
    if (!p) throw std::bad_alloc();
    return p;
  }
  // Map one huge page more than needed and trim, so the block starts on a 2 MiB boundary (only
  // aligned ranges can be backed by huge pages).
  size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  void* raw =
      ::mmap(nullptr, rounded + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = (start + kHugePageBytes - 1) & ~(uintptr_t{kHugePageBytes} - 1);
  if (aligned > start) ::munmap(raw, aligned - start);
  if (uintptr_t tail = start + rounded + kHugePageBytes - (aligned + rounded))
    ::munmap(reinterpret_cast<void*>(aligned + rounded), tail);
  void* p = reinterpret_cast<void*>(aligned);
  ::madvise(p, rounded, MADV_HUGEPAGE);  // advisory: fine if the kernel says no
  return p;
}

inline void huge_page_free(void* p, size_t bytes) {
  if (!p) return;
  if (bytes < kHugeAllocThreshold) {
    std::free(p);
    return;
  }
  ::munmap(p, (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes);
}

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(huge_page_alloc(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { huge_page_free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace hvsim
