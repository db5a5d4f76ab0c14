// Streaming .hvt reader: holds one chunk at a time, so memory stays bounded whatever the
// trace length. Every chunk is checked (header and payload crc32, sizes, record encoding);
// a bad one is reported with its byte offset.
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "workload/event_source.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/hvt_format.h"

namespace hvsim {

class HvtReader final : public EventSource {
 public:
  // Reads and checks the file header. `in` must deliver the stored bytes (no decompression).
  explicit HvtReader(std::unique_ptr<ByteInput> in);
  static std::unique_ptr<HvtReader> open(const std::string& path);
  ~HvtReader() override;

  size_t next_batch(std::span<Event> out) override;
  std::string describe() const override { return "hvt:" + in_->name(); }

  const nlohmann::json& metadata() const { return metadata_; }
  // The end record's JSON object; empty until the stream has been read to its end.
  const nlohmann::json& trailer() const { return trailer_; }
  uint64_t chunks() const { return chunks_; }
  uint16_t minor_version() const { return minor_; }

 private:
  bool load_chunk();  // false at the end record
  [[noreturn]] void bad(uint64_t off, const std::string& what);

  std::unique_ptr<ByteInput> in_;
  nlohmann::json metadata_, trailer_;
  uint16_t minor_ = 0;
  std::vector<uint8_t> compressed_, payload_;
  void* dctx_ = nullptr;
  hvt::ChunkDecoder dec_;
  uint64_t chunk_off_ = 0;
  uint64_t chunks_ = 0, records_ = 0;
  bool ended_ = false;
};

}  // namespace hvsim
