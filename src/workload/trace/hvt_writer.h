// Streaming .hvt writer: buffers one chunk of events, then encodes, compresses and appends it.
// A file is written under a unique temporary name beside PATH (PATH.tmp.XXXXXX) and renamed to
// PATH by finish(), so an interrupted write never leaves a complete-looking trace, and two
// writers of one PATH do not share a temporary file. The temporary file is removed when the
// writer is destroyed unfinished, and when SIGINT, SIGTERM or SIGHUP ends the process.
#pragma once
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "common/event.h"
#include "common/temp_files.h"

namespace hvsim {

class HvtWriter {
 public:
  struct Options {
    uint32_t chunk_records = 64 * 1024;
    int zstd_level = 3;  // kMinLevel..kMaxLevel
  };
  static constexpr int kMinLevel = 1, kMaxLevel = 22;  // zstd's regular levels
  // Writes to `path` (via a temporary file); metadata is a JSON object (source, command, created…).
  HvtWriter(std::string path, const nlohmann::json& metadata)
      : HvtWriter(std::move(path), metadata, Options{}) {}
  HvtWriter(std::string path, const nlohmann::json& metadata, Options opt);
  // Writes into memory; take the bytes with memory() after finish().
  static HvtWriter to_memory(const nlohmann::json& metadata, Options opt);
  HvtWriter(HvtWriter&&) noexcept;
  HvtWriter& operator=(HvtWriter&&) = delete;
  ~HvtWriter();

  void write(std::span<const Event> events);
  // Flushes the last chunk, appends the end record (with `trailer`, a JSON object), closes and
  // renames the file into place.
  void finish(const nlohmann::json& trailer = nlohmann::json::object());

  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }
  const std::vector<uint8_t>& memory() const { return out_; }

 private:
  HvtWriter(const nlohmann::json& metadata, Options opt);  // memory
  static void check_options(const Options& o);
  void start(const nlohmann::json& metadata);
  void flush_chunk();
  void emit(const void* p, size_t n);
  void drain();

  std::string path_, tmp_;
  TempGuard guard_;
  FILE* file_ = nullptr;
  Options opt_;
  std::vector<Event> pending_;
  std::vector<uint8_t> payload_, compressed_, out_;
  void* cctx_ = nullptr;
  uint64_t records_ = 0, bytes_ = 0;
  bool finished_ = false;
};

// crc32 (zlib) of a byte range.
uint32_t hvt_crc(const void* p, size_t n);

}  // namespace hvsim
