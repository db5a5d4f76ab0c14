// A set-associative array with LRU replacement: the building block of TLBs, page-walk caches,
// the nested TLB and the cache model. Keys are 64-bit; the low bits choose the set.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hvsim {

template <class Payload>
class SetAssoc {
 public:
  static constexpr uint64_t kInvalid = ~0ull;

  SetAssoc() = default;
  // entries == 0 makes a cache that never hits.
  SetAssoc(uint32_t entries, uint32_t ways) { configure(entries, ways); }

  void configure(uint32_t entries, uint32_t ways) {
    if (entries == 0) {
      sets_ = ways_ = 0;
      keys_.clear();
      return;
    }
    ways_ = ways == 0 || ways > entries ? entries : ways;
    sets_ = entries / ways_;
    if (sets_ == 0) sets_ = 1;
    pow2_ = (sets_ & (sets_ - 1)) == 0;
    keys_.assign(size_t{sets_} * ways_, kInvalid);
    stamps_.assign(keys_.size(), 0);
    payloads_.assign(keys_.size(), Payload{});
  }

  bool enabled() const { return sets_ != 0; }
  uint32_t entries() const { return sets_ * ways_; }

  // Returns the payload on a hit (and makes it most recently used), nullptr on a miss.
  Payload* lookup(uint64_t key) {
    if (!sets_) return nullptr;
    size_t base = set_of(key) * ways_;
    for (uint32_t w = 0; w < ways_; ++w) {
      if (keys_[base + w] == key) {
        stamps_[base + w] = ++clock_;
        return &payloads_[base + w];
      }
    }
    return nullptr;
  }

  // Inserts (or refreshes) `key`, evicting the least recently used way of its set.
  void insert(uint64_t key, const Payload& payload) {
    if (!sets_) return;
    size_t base = set_of(key) * ways_;
    size_t victim = base;
    for (uint32_t w = 0; w < ways_; ++w) {
      size_t i = base + w;
      if (keys_[i] == key) {
        victim = i;
        break;
      }
      if (stamps_[i] < stamps_[victim]) victim = i;
    }
    keys_[victim] = key;
    payloads_[victim] = payload;
    stamps_[victim] = ++clock_;
  }

  bool invalidate(uint64_t key) {
    if (!sets_) return false;
    size_t base = set_of(key) * ways_;
    for (uint32_t w = 0; w < ways_; ++w) {
      if (keys_[base + w] == key) {
        keys_[base + w] = kInvalid;
        stamps_[base + w] = 0;
        return true;
      }
    }
    return false;
  }

  // Drops every entry for which pred(key, payload) holds.
  template <class Pred>
  uint64_t invalidate_if(Pred&& pred) {
    uint64_t n = 0;
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] != kInvalid && pred(keys_[i], payloads_[i])) {
        keys_[i] = kInvalid;
        stamps_[i] = 0;
        ++n;
      }
    }
    return n;
  }

  void clear() {
    std::fill(keys_.begin(), keys_.end(), kInvalid);
    std::fill(stamps_.begin(), stamps_.end(), 0);
  }

 private:
  size_t set_of(uint64_t key) const { return pow2_ ? (key & (sets_ - 1)) : (key % sets_); }

  uint32_t sets_ = 0, ways_ = 0;
  bool pow2_ = true;
  uint64_t clock_ = 0;
  std::vector<uint64_t> keys_;
  std::vector<uint64_t> stamps_;
  std::vector<Payload> payloads_;
};

}  // namespace hvsim
