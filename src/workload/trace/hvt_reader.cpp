#include "workload/trace/hvt_reader.h"

#include <zstd.h>

#include <cstring>

#include "common/error.h"
#include "workload/trace/hvt_writer.h"

namespace hvsim {
namespace {

uint32_t get32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t get64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Offset of the first '[' or '{' that nests deeper than kMaxJsonDepth, or SIZE_MAX. Deeper
// documents are rejected before parsing: copying, printing or freeing a parsed JSON value
// recurses once per level, and 100,000 levels overflow the stack.
size_t too_deep(const uint8_t* p, size_t n) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t c = p[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > hvt::kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return SIZE_MAX;
}

const std::string kDepthLimit = "nests deeper than " + std::to_string(hvt::kMaxJsonDepth) + " levels";

}  // namespace

void HvtReader::bad(uint64_t off, const std::string& what) { throw FileFormatError(in_->name(), off, what); }

std::unique_ptr<HvtReader> HvtReader::open(const std::string& path) {
  return std::make_unique<HvtReader>(ByteInput::open_file(path, false));
}

HvtReader::HvtReader(std::unique_ptr<ByteInput> in) : in_(std::move(in)) {
  uint8_t h[hvt::kFileHeaderFixed];
  size_t got = in_->read(h, sizeof h);
  if (got < 8 || std::memcmp(h, hvt::kMagic, 8) != 0)
    bad(0, "not an .hvt trace (expected magic \"HVSIMTRC\")");
  if (got < sizeof h) bad(got, "truncated file header");
  uint16_t major, minor;
  std::memcpy(&major, h + 8, 2);
  std::memcpy(&minor, h + 10, 2);
  if (major != hvt::kMajor)
    bad(8, "unsupported .hvt version " + std::to_string(major) + " (this build reads version " +
               std::to_string(hvt::kMajor) + ")");
  minor_ = minor;
  uint32_t mlen = get32(h + 12);
  if (mlen > hvt::kMaxMetadata) bad(12, "metadata length " + std::to_string(mlen) + " exceeds 1 MiB");
  std::vector<uint8_t> all(sizeof h + mlen + 4);
  std::memcpy(all.data(), h, sizeof h);
  read_exact(*in_, all.data() + sizeof h, mlen + 4, "header metadata and checksum");
  if (hvt_crc(all.data(), sizeof h + mlen) != get32(all.data() + sizeof h + mlen))
    bad(0, "file header checksum mismatch");
  if (size_t at = too_deep(all.data() + sizeof h, mlen); at != SIZE_MAX)
    bad(sizeof h + at, "header metadata " + kDepthLimit);
  metadata_ = nlohmann::json::parse(all.begin() + sizeof h,
                                    all.begin() + static_cast<ptrdiff_t>(sizeof h + mlen), nullptr, false);
  if (!metadata_.is_object()) bad(16, "header metadata is not a JSON object");
  dctx_ = ZSTD_createDCtx();
}

HvtReader::~HvtReader() {
  if (dctx_) ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_));
}

bool HvtReader::load_chunk() {
  chunk_off_ = in_->offset();
  uint8_t h[hvt::kChunkHeader];
  size_t got = in_->read(h, 4);
  if (got < 4) bad(chunk_off_, "truncated: missing end record (the trace was not finished)");
  const uint32_t magic = get32(h);
  if (magic == hvt::kEndMagic) {
    read_exact(*in_, h + 4, hvt::kEndFixed - 4, "end record");
    uint32_t tlen = get32(h + 4);
    if (tlen > hvt::kMaxMetadata) bad(chunk_off_, "end record: trailer length exceeds 1 MiB");
    std::vector<uint8_t> e(hvt::kEndFixed + tlen + 4);
    std::memcpy(e.data(), h, hvt::kEndFixed);
    read_exact(*in_, e.data() + hvt::kEndFixed, tlen + 4, "end record trailer");
    if (hvt_crc(e.data(), hvt::kEndFixed + tlen) != get32(e.data() + hvt::kEndFixed + tlen))
      bad(chunk_off_, "end record checksum mismatch");
    if (get64(h + 8) != records_)
      bad(chunk_off_, "end record counts " + std::to_string(get64(h + 8)) + " records but the chunks hold " +
                          std::to_string(records_));
    if (size_t at = too_deep(e.data() + hvt::kEndFixed, tlen); at != SIZE_MAX)
      bad(chunk_off_ + hvt::kEndFixed + at, "end record trailer " + kDepthLimit);
    trailer_ =
        nlohmann::json::parse(e.begin() + hvt::kEndFixed,
                              e.begin() + static_cast<ptrdiff_t>(hvt::kEndFixed + tlen), nullptr, false);
    if (!trailer_.is_object()) bad(chunk_off_ + hvt::kEndFixed, "end record trailer is not a JSON object");
    uint8_t extra;
    if (in_->read(&extra, 1) != 0) bad(in_->offset() - 1, "unexpected data after the end record");
    return false;
  }
  if (magic != hvt::kChunkMagic) bad(chunk_off_, "expected a chunk (\"HVCK\") or the end record (\"HVEN\")");
  read_exact(*in_, h + 4, hvt::kChunkHeader - 4, "chunk header");
  if (hvt_crc(h, 20) != get32(h + 20)) bad(chunk_off_, "corrupt chunk: header checksum mismatch");
  const uint32_t count = get32(h + 4), usize = get32(h + 8), csize = get32(h + 12);
  if (count == 0 || count > hvt::kMaxChunkRecords || usize > hvt::max_payload(count) ||
      csize > ZSTD_compressBound(usize))
    bad(chunk_off_, "corrupt chunk: implausible sizes");
  compressed_.resize(csize);
  read_exact(*in_, compressed_.data(), csize, "chunk data");
  if (hvt_crc(compressed_.data(), csize) != get32(h + 16))
    bad(chunk_off_, "corrupt chunk: data checksum mismatch");
  payload_.resize(usize + hvt::kPadding);
  size_t d =
      ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(dctx_), payload_.data(), usize, compressed_.data(), csize);
  if (ZSTD_isError(d) || d != usize)
    bad(chunk_off_, "corrupt chunk: zstd data does not decompress to its size");
  std::memset(payload_.data() + usize, 0, hvt::kPadding);
  std::string err;
  if (!dec_.start(payload_.data(), usize, count, err)) bad(chunk_off_, "corrupt chunk: " + err);
  records_ += count;
  ++chunks_;
  return true;
}

size_t HvtReader::next_batch(std::span<Event> out) {
  if (out.empty()) return 0;
  while (!ended_) {
    if (dec_.done()) {
      if (!load_chunk()) {
        ended_ = true;
        break;
      }
    }
    std::string err;
    size_t n = dec_.decode(out, err);
    if (n == SIZE_MAX) bad(chunk_off_, "corrupt chunk: " + err);
    if (n > 0) return n;
  }
  return 0;
}

}  // namespace hvsim
