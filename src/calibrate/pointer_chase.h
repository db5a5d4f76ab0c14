// Dependent pointer chases: each visited cache line holds the address of the next, so every load
// waits for the one before it and the time per load is the load-to-use latency of wherever the
// line was found (plus, on a TLB miss, the translation).
#pragma once
#include <cstddef>
#include <cstdint>

namespace hvsim {

inline constexpr uint64_t kLineBytes = 64;

// Links the `lines` 64-byte lines from `base` into one random cycle (a random cyclic
// permutation); returns the first line.
void* link_lines(std::byte* base, uint64_t lines, uint64_t seed);
// Links one line in each of the `pages` 4 KiB pages from `base` into one random cycle of the
// pages. Page p uses its line (p + p / 64) % 64: each run of 64 pages uses every line offset once
// (the sets of a 4 KiB-indexed L1 evenly), and each run shifts the offsets by one, so on
// physically contiguous 2 MiB pages the lines also spread over the sets of a larger L2 (p % 64
// alone would put them all in 64 of its sets). Only the translation then differs between 4 KiB
// and 2 MiB pages.
void* link_pages(std::byte* base, uint64_t pages, uint64_t seed);
// Follows `steps` links from `p` (a multiple of 8 is followed exactly); returns where it ended.
void* follow(void* p, uint64_t steps);
// Follows `steps` links from `p`, moving `p` on, and returns the nanoseconds per load.
double timed_follow(void*& p, uint64_t steps);

}  // namespace hvsim
