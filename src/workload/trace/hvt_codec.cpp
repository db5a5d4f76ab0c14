// Record encoding inside a .hvt chunk: four columns (control bytes, sizes, address deltas,
// escaped events) so that the common case, an access of the current process, decodes with no
// data-dependent branches.
#include <cstring>

#include "workload/trace/hvt_format.h"
#include "workload/trace/varint.h"

namespace hvsim::hvt {
namespace {

// Control byte: bits 0-1 class (0 load, 1 store, 2 ifetch, 3 escaped event);
// for classes 0-2: bits 2-5 = bytes of zigzag address delta (0..8), bit 6 = explicit size.
constexpr uint8_t kEscape = 3;

bool fast_path(const Event& e, uint32_t pid) {
  return static_cast<uint8_t>(e.kind) < 3 && e.arg == 0 && e.flags == 0 && e.pid == pid;
}

bool valid_kind(uint8_t k) { return event_kind_name(static_cast<EventKind>(k)) != "unknown"; }

}  // namespace

void encode_chunk(std::span<const Event> events, std::vector<uint8_t>& out) {
  std::vector<uint8_t> ctl, sizes, deltas, extra;
  ctl.reserve(events.size());
  deltas.resize(events.size() * 8 + 8);
  extra.resize(64);
  size_t dpos = 0, xpos = 0;
  uint64_t last[2] = {0, 0};
  uint8_t last_size[3] = {0, 0, 0};
  uint32_t pid = 0;
  for (const Event& e : events) {
    const uint8_t k = static_cast<uint8_t>(e.kind);
    if (fast_path(e, pid)) {
      const int pi = k >> 1;
      uint64_t zz = varint::zigzag(static_cast<int64_t>(e.addr - last[pi]));
      unsigned n = varint::byte_length(zz);
      uint8_t c = static_cast<uint8_t>(k | (n << 2));
      if (e.size != last_size[k]) {
        c |= 0x40;
        sizes.push_back(e.size);
        last_size[k] = e.size;
      }
      std::memcpy(deltas.data() + dpos, &zz, 8);
      dpos += n;
      last[pi] = e.addr;
      ctl.push_back(c);
      continue;
    }
    ctl.push_back(kEscape);
    if (extra.size() < xpos + 40) extra.resize(extra.size() * 2 + 40);
    uint8_t* p = extra.data() + xpos;
    *p++ = k;
    p = varint::put(p, e.addr);
    p = varint::put(p, e.arg);
    p = varint::put(p, e.pid);
    *p++ = e.size;
    p = varint::put(p, e.flags);
    xpos = static_cast<size_t>(p - extra.data());
    pid = e.pid;
    if (k < 3) {
      last[k >> 1] = e.addr;
      last_size[k] = e.size;
    }
  }
  uint8_t prefix[30];
  uint8_t* p = varint::put(prefix, sizes.size());
  p = varint::put(p, dpos);
  p = varint::put(p, xpos);
  out.insert(out.end(), prefix, p);
  out.insert(out.end(), ctl.begin(), ctl.end());
  out.insert(out.end(), sizes.begin(), sizes.end());
  out.insert(out.end(), deltas.begin(), deltas.begin() + static_cast<ptrdiff_t>(dpos));
  out.insert(out.end(), extra.begin(), extra.begin() + static_cast<ptrdiff_t>(xpos));
}

bool ChunkDecoder::start(const uint8_t* payload, size_t size, uint32_t count, std::string& error) {
  const uint8_t* p = payload;
  const uint8_t* end = payload + size;
  uint64_t ns = 0, nd = 0, nx = 0;
  if (!varint::get(p, end, ns) || !varint::get(p, end, nd) || !varint::get(p, end, nx)) {
    error = "bad column-size prefix";
    return false;
  }
  const uint64_t avail = static_cast<uint64_t>(end - p);
  if (count > avail || ns > avail || nd > avail || nx > avail || count + ns + nd + nx != avail) {
    error = "column sizes do not add up to the payload size";
    return false;
  }
  // Check every control byte once so that the decode loop needs no bounds checks. An escape
  // (exactly 3) adds nothing to either column, so the sums need no branch and vectorize.
  // 32-bit sums: at most 15 per record and kMaxChunkRecords records.
  uint32_t need_d = 0, need_s = 0;
  unsigned bad = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t c = p[i];
    const unsigned n = (c >> 2) & 15;
    bad |= (((c & 3) == kEscape) & (c != kEscape)) | (n > 8) | (c >> 7);
    need_d += n;
    need_s += (c >> 6) & 1;
  }
  if (bad) {
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t c = p[i];
      if ((c & 3) == kEscape && c != kEscape) {
        error = "reserved control byte in record " + std::to_string(i);
        return false;
      }
      if (((c >> 2) & 15) > 8 || (c & 0x80)) {
        error = "invalid control byte in record " + std::to_string(i);
        return false;
      }
    }
  }
  if (need_d != nd || need_s != ns) {
    error = "control bytes disagree with the column sizes";
    return false;
  }
  ctl_ = p;
  sizes_ = ctl_ + count;
  deltas_ = sizes_ + ns;
  extra_ = deltas_ + nd;
  extra_end_ = extra_ + nx;
  remaining_ = count;
  last_[0] = last_[1] = 0;
  std::memset(last_size_, 0, sizeof last_size_);
  pid_ = 0;
  return true;
}

// The common case, accesses of the current process, up to the next escaped event: returns the
// index of that event (or n). Predictor state lives in locals, in registers: stores through `o`
// could otherwise alias the members and force a reload every record.
size_t ChunkDecoder::decode_run(const uint8_t* ctl, Event* o, size_t i, size_t n) {
  static constexpr uint64_t kMask[9] = {
      0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffffull, 0xffffffffffffull, 0xffffffffffffffull, ~0ull};
  const uint8_t* sz = sizes_;
  const uint8_t* dp = deltas_;
  uint64_t last0 = last_[0], last1 = last_[1];
  uint8_t last_size[4] = {last_size_[0], last_size_[1], last_size_[2], 0};
  const uint64_t pid = pid_;
  for (; i < n; ++i) {
    const uint8_t c = ctl[i];
    const unsigned cls = c & 3;
    if (cls == kEscape) [[unlikely]]
      break;
    const unsigned nb = (c >> 2) & 15;
    uint64_t raw;
    std::memcpy(&raw, dp, 8);
    dp += nb;
    raw &= kMask[nb];
    // Loads and stores predict from one address, instruction fetches from another; selects
    // rather than an indexed array keep both in registers.
    const bool ifetch = cls >> 1;
    const uint64_t addr = (ifetch ? last1 : last0) + static_cast<uint64_t>(varint::unzigzag(raw));
    last0 = ifetch ? last0 : addr;
    last1 = ifetch ? addr : last1;
    const unsigned has_size = (c >> 6) & 1;
    const uint8_t size = has_size ? *sz : last_size[cls];
    sz += has_size;
    last_size[cls] = size;
    // Three whole words: addr, arg 0, and pid | kind << 32 | size << 40 (flags 0).
    const uint64_t tail = pid | (static_cast<uint64_t>(cls) << 32) | (static_cast<uint64_t>(size) << 40);
    auto* words = reinterpret_cast<unsigned char*>(o + i);
    std::memcpy(words, &addr, 8);
    std::memset(words + 8, 0, 8);
    std::memcpy(words + 16, &tail, 8);
  }
  sizes_ = sz;
  deltas_ = dp;
  last_[0] = last0;
  last_[1] = last1;
  std::memcpy(last_size_, last_size, 3);
  return i;
}

// One escaped event (any kind, any process); it becomes the predictors' new state.
bool ChunkDecoder::decode_escape(Event& e) {
  const uint8_t* x = extra_;
  uint64_t addr = 0, arg = 0, epid = 0, flags = 0;
  if (extra_end_ - x < 1) return false;
  const uint8_t k = *x++;
  if (!valid_kind(k) || !varint::get(x, extra_end_, addr) || !varint::get(x, extra_end_, arg) ||
      !varint::get(x, extra_end_, epid) || epid > UINT32_MAX || x == extra_end_)
    return false;
  const uint8_t size = *x++;
  if (!varint::get(x, extra_end_, flags) || flags > UINT16_MAX) return false;
  extra_ = x;
  e.addr = addr;
  e.arg = arg;
  e.pid = pid_ = static_cast<uint32_t>(epid);
  e.kind = static_cast<EventKind>(k);
  e.size = size;
  e.flags = static_cast<uint16_t>(flags);
  if (k < 3) {
    last_[k >> 1] = addr;
    last_size_[k] = size;
  }
  return true;
}

size_t ChunkDecoder::decode(std::span<Event> out, std::string& error) {
  const size_t n = std::min<size_t>(out.size(), remaining_);
  size_t i = 0;
  while (i < n) {
    i = decode_run(ctl_, out.data(), i, n);
    if (i == n) break;
    if (!decode_escape(out[i])) {
      error = "corrupt escaped event";
      return SIZE_MAX;
    }
    ++i;
  }
  ctl_ += n;
  remaining_ -= static_cast<uint32_t>(n);
  if (remaining_ == 0 && extra_ != extra_end_) {
    error = "trailing bytes after the last escaped event";
    return SIZE_MAX;
  }
  return n;
}

}  // namespace hvsim::hvt
