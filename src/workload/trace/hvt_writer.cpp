#include "workload/trace/hvt_writer.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.h"
#include "workload/trace/hvt_format.h"

namespace hvsim {
namespace {

void put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
void put64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
constexpr size_t kFlushBytes = 1 << 20;

}  // namespace

uint32_t hvt_crc(const void* p, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  const auto* b = static_cast<const Bytef*>(p);
  while (n > 0) {
    uInt k = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    c = crc32(c, b, k);
    b += k;
    n -= k;
  }
  return static_cast<uint32_t>(c);
}

HvtWriter::HvtWriter(std::string path, const nlohmann::json& metadata, Options opt)
    : path_(std::move(path)), opt_(opt) {
  check_options(opt_);
  int fd = create_temp_beside(path_, tmp_);
  guard_ = TempGuard(tmp_, false);
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    ::close(fd);
    std::remove(tmp_.c_str());
    throw InputError(tmp_ + ": cannot create: " + std::strerror(errno));
  }
  try {
    start(metadata);
  } catch (...) {
    // No destructor runs for a constructor that throws.
    if (cctx_) ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
    std::fclose(file_);
    std::remove(tmp_.c_str());
    throw;
  }
}

HvtWriter::HvtWriter(const nlohmann::json& metadata, Options opt) : opt_(opt) {
  check_options(opt_);
  start(metadata);
}

void HvtWriter::check_options(const Options& o) {
  if (o.chunk_records == 0 || o.chunk_records > hvt::kMaxChunkRecords)
    throw InputError("hvt: chunk size must be 1.." + std::to_string(hvt::kMaxChunkRecords) + " records");
  if (o.zstd_level < kMinLevel || o.zstd_level > kMaxLevel)
    throw InputError("hvt: zstd level " + std::to_string(o.zstd_level) + " is out of range; expected " +
                     std::to_string(kMinLevel) + ".." + std::to_string(kMaxLevel));
}

HvtWriter HvtWriter::to_memory(const nlohmann::json& metadata, Options opt) {
  return HvtWriter(metadata, opt);
}

HvtWriter::HvtWriter(HvtWriter&& o) noexcept
    : path_(std::move(o.path_)),
      tmp_(std::move(o.tmp_)),
      guard_(std::move(o.guard_)),
      file_(o.file_),
      opt_(o.opt_),
      pending_(std::move(o.pending_)),
      payload_(std::move(o.payload_)),
      compressed_(std::move(o.compressed_)),
      out_(std::move(o.out_)),
      cctx_(o.cctx_),
      records_(o.records_),
      bytes_(o.bytes_),
      finished_(o.finished_) {
  o.file_ = nullptr;
  o.cctx_ = nullptr;
  o.finished_ = true;
}

HvtWriter::~HvtWriter() {
  if (cctx_) ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
  if (file_) {
    std::fclose(file_);
    if (!finished_) std::remove(tmp_.c_str());
  }
}

void HvtWriter::start(const nlohmann::json& metadata) {
  std::string meta = metadata.is_null() ? "{}" : metadata.dump();
  if (meta.size() > hvt::kMaxMetadata) throw InputError("hvt: metadata larger than 1 MiB");
  cctx_ = ZSTD_createCCtx();
  pending_.reserve(opt_.chunk_records);
  std::vector<uint8_t> h(hvt::kFileHeaderFixed + meta.size() + 4);
  std::memcpy(h.data(), hvt::kMagic, 8);
  uint16_t ver[2] = {hvt::kMajor, hvt::kMinor};
  std::memcpy(h.data() + 8, ver, 4);
  put32(h.data() + 12, static_cast<uint32_t>(meta.size()));
  std::memcpy(h.data() + 16, meta.data(), meta.size());
  put32(h.data() + 16 + meta.size(), hvt_crc(h.data(), 16 + meta.size()));
  emit(h.data(), h.size());
}

void HvtWriter::emit(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  out_.insert(out_.end(), b, b + n);
  bytes_ += n;
  if (file_ && out_.size() >= kFlushBytes) drain();
}

void HvtWriter::drain() {
  if (!file_ || out_.empty()) return;
  if (std::fwrite(out_.data(), 1, out_.size(), file_) != out_.size())
    throw InputError(tmp_ + ": write failed: " + std::strerror(errno));
  out_.clear();
}

void HvtWriter::write(std::span<const Event> events) {
  while (!events.empty()) {
    size_t k = std::min<size_t>(events.size(), opt_.chunk_records - pending_.size());
    pending_.insert(pending_.end(), events.begin(), events.begin() + static_cast<ptrdiff_t>(k));
    events = events.subspan(k);
    if (pending_.size() == opt_.chunk_records) flush_chunk();
  }
}

void HvtWriter::flush_chunk() {
  if (pending_.empty()) return;
  payload_.clear();
  hvt::encode_chunk(pending_, payload_);
  compressed_.resize(ZSTD_compressBound(payload_.size()));
  size_t c = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(cctx_), compressed_.data(), compressed_.size(),
                               payload_.data(), payload_.size(), opt_.zstd_level);
  if (ZSTD_isError(c)) throw InputError(std::string("hvt: zstd compression failed: ") + ZSTD_getErrorName(c));
  uint8_t h[hvt::kChunkHeader];
  put32(h, hvt::kChunkMagic);
  put32(h + 4, static_cast<uint32_t>(pending_.size()));
  put32(h + 8, static_cast<uint32_t>(payload_.size()));
  put32(h + 12, static_cast<uint32_t>(c));
  put32(h + 16, hvt_crc(compressed_.data(), c));
  put32(h + 20, hvt_crc(h, 20));
  emit(h, sizeof h);
  emit(compressed_.data(), c);
  records_ += pending_.size();
  pending_.clear();
}

void HvtWriter::finish(const nlohmann::json& trailer) {
  if (finished_) return;
  flush_chunk();
  std::string t = trailer.is_null() ? "{}" : trailer.dump();
  std::vector<uint8_t> e(hvt::kEndFixed + t.size() + 4);
  put32(e.data(), hvt::kEndMagic);
  put32(e.data() + 4, static_cast<uint32_t>(t.size()));
  put64(e.data() + 8, records_);
  std::memcpy(e.data() + 16, t.data(), t.size());
  put32(e.data() + 16 + t.size(), hvt_crc(e.data(), 16 + t.size()));
  emit(e.data(), e.size());
  if (file_) {
    drain();
    bool ok = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      const int err = errno;
      std::remove(tmp_.c_str());
      guard_.release();
      finished_ = true;
      throw InputError(path_ + ": cannot write: " + std::strerror(err));
    }
    guard_.release();
  }
  finished_ = true;
}

}  // namespace hvsim
