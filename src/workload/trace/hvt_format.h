// hvsim's own trace format (.hvt); the layout is documented in docs/trace-format.md.
// This header holds the constants and the chunk record codec shared by writer and reader.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/event.h"

namespace hvsim::hvt {

inline constexpr char kMagic[8] = {'H', 'V', 'S', 'I', 'M', 'T', 'R', 'C'};
inline constexpr uint16_t kMajor = 1;
inline constexpr uint16_t kMinor = 0;
inline constexpr uint32_t kChunkMagic = 0x4b435648;  // "HVCK"
inline constexpr uint32_t kEndMagic = 0x4e455648;    // "HVEN"
inline constexpr size_t kFileHeaderFixed = 16;       // magic, versions, metadata length
inline constexpr size_t kChunkHeader = 24;
inline constexpr size_t kEndFixed = 16;
inline constexpr uint32_t kDefaultChunkRecords = 64 * 1024;
inline constexpr uint32_t kMaxChunkRecords = 1u << 20;
inline constexpr uint32_t kMaxMetadata = 1u << 20;
// Deepest nesting of arrays and objects accepted in the metadata and trailer JSON.
inline constexpr size_t kMaxJsonDepth = 64;
// Largest encoding of one record (an escaped event) plus the column-size prefix.
inline constexpr size_t kMaxRecordBytes = 32;
inline constexpr size_t kPayloadPrefixMax = 30;
inline constexpr size_t max_payload(uint32_t records) {
  return records * kMaxRecordBytes + kPayloadPrefixMax;
}
// Decoding reads delta fields 8 bytes at a time; payload buffers carry this much slack.
inline constexpr size_t kPadding = 8;

// Appends the uncompressed payload for `events` (one chunk) to `out`.
void encode_chunk(std::span<const Event> events, std::vector<uint8_t>& out);

// Decodes one chunk payload incrementally. The payload buffer must stay alive and have
// kPadding readable bytes after its end.
class ChunkDecoder {
 public:
  // Validates the payload for `count` records; on failure returns false and sets `error`.
  bool start(const uint8_t* payload, size_t size, uint32_t count, std::string& error);
  // Decodes up to out.size() records; returns how many (0 when the chunk is done). On corrupt
  // content returns SIZE_MAX and sets `error`.
  size_t decode(std::span<Event> out, std::string& error);
  bool done() const { return remaining_ == 0; }

 private:
  size_t decode_run(const uint8_t* ctl, Event* o, size_t i, size_t n);
  bool decode_escape(Event& e);

  const uint8_t* ctl_ = nullptr;
  const uint8_t* sizes_ = nullptr;
  const uint8_t* deltas_ = nullptr;
  const uint8_t* extra_ = nullptr;
  const uint8_t* extra_end_ = nullptr;
  uint32_t remaining_ = 0;
  uint64_t last_[2] = {0, 0};
  uint8_t last_size_[3] = {0, 0, 0};
  uint32_t pid_ = 0;
};

}  // namespace hvsim::hvt
