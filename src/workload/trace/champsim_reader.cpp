#include "workload/trace/champsim_reader.h"

#include <cstring>

#include "common/error.h"

namespace hvsim {
namespace {

uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

ChampSimReader::ChampSimReader(std::unique_ptr<ByteInput> in, Variant v, Options opt)
    : in_(std::move(in)), variant_(v), opt_(opt), buf_(new uint8_t[record_size(v) * kBufRecords]) {}

std::string ChampSimReader::describe() const {
  return (variant_ == Variant::kStandard ? "champsim:" : "champsim-cloudsuite:") + in_->name();
}

void ChampSimReader::expand(const uint8_t* rec) {
  const bool std_layout = variant_ == Variant::kStandard;
  const uint64_t ip = load_u64(rec);
  uint32_t pid = 0;
  if (!std_layout) pid = static_cast<uint32_t>(rec[88]) | (static_cast<uint32_t>(rec[89]) << 8);
  // Branch flags are booleans; anything else means this is not a ChampSim trace (or the
  // wrong variant).
  if (rec[8] > 1 || rec[9] > 1 || (rec[9] && !rec[8]))
    throw FileFormatError(in_->name(), records_ * record_size(variant_) + 8,
                          "invalid branch flags in record " + std::to_string(records_) +
                              " (expected is_branch/branch_taken of 0 or 1); not a " +
                              (std_layout ? "ChampSim" : "ChampSim CloudSuite") + " trace?");
  if (opt_.ifetch) pending_[npending_++] = Event::access(EventKind::kIFetch, ip, opt_.ifetch_size, pid);
  const int nsrc = 4, ndst = std_layout ? 2 : 4;
  const uint8_t* src = rec + (std_layout ? 32 : 56);
  const uint8_t* dst = rec + (std_layout ? 16 : 24);
  // Sources are read before destinations are written.
  for (int i = 0; i < nsrc; ++i)
    if (uint64_t a = load_u64(src + 8 * i))
      pending_[npending_++] = Event::access(EventKind::kLoad, a, opt_.operand_size, pid);
  for (int i = 0; i < ndst; ++i)
    if (uint64_t a = load_u64(dst + 8 * i))
      pending_[npending_++] = Event::access(EventKind::kStore, a, opt_.operand_size, pid);
}

size_t ChampSimReader::next_batch(std::span<Event> out) {
  const size_t rs = record_size(variant_);
  size_t n = 0;
  for (;;) {
    while (ppos_ < npending_ && n < out.size()) out[n++] = pending_[ppos_++];
    if (n == out.size()) return n;
    npending_ = ppos_ = 0;
    if (buf_pos_ == buf_len_) {
      buf_pos_ = 0;
      buf_len_ = in_->read(buf_.get(), record_size(variant_) * kBufRecords);
      if (buf_len_ % rs != 0)
        throw FileFormatError(in_->name(), in_->offset() - buf_len_ % rs,
                              "truncated record: expected " + std::to_string(rs) + "-byte records, " +
                                  std::to_string(buf_len_ % rs) + " bytes left over");
      if (buf_len_ == 0) return n;
    }
    expand(buf_.get() + buf_pos_);
    buf_pos_ += rs;
    ++records_;
  }
}

void ChampSimWriter::flush() {
  if (!open_) return;
  uint8_t rec[64] = {};
  std::memcpy(rec, &ip_, 8);
  for (int i = 0; i < 2; ++i) std::memcpy(rec + 16 + 8 * i, &dst_[i], 8);
  for (int i = 0; i < 4; ++i) std::memcpy(rec + 32 + 8 * i, &src_[i], 8);
  out_.insert(out_.end(), rec, rec + 64);
  open_ = false;
  ndst_ = nsrc_ = 0;
  std::memset(dst_, 0, sizeof dst_);
  std::memset(src_, 0, sizeof src_);
}

void ChampSimWriter::write(std::span<const Event> events) {
  for (const Event& e : events) {
    if (!is_access(e.kind)) continue;
    if (e.kind == EventKind::kIFetch) {
      flush();
      open_ = true;
      ip_ = e.addr;
      continue;
    }
    bool load = e.kind == EventKind::kLoad;
    if (!open_ || (load ? nsrc_ == 4 : ndst_ == 2)) {
      uint64_t ip = ip_;
      flush();
      open_ = true;
      ip_ = ip;
    }
    if (load)
      src_[nsrc_++] = e.addr;
    else
      dst_[ndst_++] = e.addr;
  }
}

void ChampSimWriter::finish() { flush(); }

}  // namespace hvsim
