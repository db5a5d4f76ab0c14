#include "mem/segment_allocator.h"

#include "common/error.h"
#include "mem/buddy_segment_allocator.h"
#include "mem/hole_allocator.h"

namespace hvsim {
namespace {

constexpr std::pair<AllocatorKind, const char*> kNames[] = {
    {AllocatorKind::kFirstFit, "first-fit"},
    {AllocatorKind::kBestFit, "best-fit"},
    {AllocatorKind::kAligned, "aligned"},
    {AllocatorKind::kBuddy, "buddy"},
};

}  // namespace

std::unique_ptr<SegmentAllocator> make_segment_allocator(AllocatorKind kind, uint64_t units,
                                                         uint64_t align_units) {
  if (kind == AllocatorKind::kBuddy) return std::make_unique<BuddySegmentAllocator>(units);
  return std::make_unique<HoleAllocator>(kind, units, align_units);
}

const char* allocator_name(AllocatorKind kind) {
  for (auto [k, name] : kNames)
    if (k == kind) return name;
  return "?";
}

AllocatorKind parse_allocator_kind(const std::string& name) {
  for (auto [k, n] : kNames)
    if (name == n) return k;
  std::string all;
  for (const auto& n : allocator_names()) all += (all.empty() ? "" : ", ") + n;
  throw InputError("--allocator: '" + name + "' is not an allocator; expected one of: " + all);
}

std::vector<std::string> allocator_names() {
  std::vector<std::string> out;
  for (auto [k, name] : kNames) out.emplace_back(name);
  return out;
}

}  // namespace hvsim
