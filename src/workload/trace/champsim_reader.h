// ChampSim `input_instr` traces (64-byte records) and the CloudSuite variant (96-byte records
// with an address-space id), raw or gzip / xz / zstd compressed.
//
// input_instr (little endian, 64 bytes):
//   0 ip u64 | 8 is_branch u8 | 9 branch_taken u8 | 10 dst_reg[2] | 12 src_reg[4]
//   16 dst_mem[2] u64 | 32 src_mem[4] u64
// cloudsuite_instr (96 bytes):
//   0 ip | 8 is_branch | 9 branch_taken | 10 dst_reg[4] | 14 src_reg[4] | (pad to 24)
//   24 dst_mem[4] u64 | 56 src_mem[4] u64 | 88 asid[2] u8 | (pad to 96)
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "workload/event_source.h"
#include "workload/trace/byte_input.h"

namespace hvsim {

class ChampSimReader final : public EventSource {
 public:
  enum class Variant { kStandard, kCloudSuite };
  struct Options {
    bool ifetch = true;        // emit the instruction fetch of every record
    uint8_t ifetch_size = 4;   // the format has no instruction length
    uint8_t operand_size = 8;  // nor operand sizes
  };
  ChampSimReader(std::unique_ptr<ByteInput> in, Variant v) : ChampSimReader(std::move(in), v, Options{}) {}
  ChampSimReader(std::unique_ptr<ByteInput> in, Variant v, Options opt);
  size_t next_batch(std::span<Event> out) override;
  std::string describe() const override;

  static constexpr size_t record_size(Variant v) { return v == Variant::kStandard ? 64 : 96; }
  uint64_t records_read() const { return records_; }

 private:
  void expand(const uint8_t* rec);

  std::unique_ptr<ByteInput> in_;
  Variant variant_;
  Options opt_;
  static constexpr size_t kBufRecords = 4096;
  std::unique_ptr<uint8_t[]> buf_;  // a block of whole records (not value-initialized)
  size_t buf_pos_ = 0, buf_len_ = 0;
  Event pending_[16];
  size_t npending_ = 0, ppos_ = 0;
  uint64_t records_ = 0;
};

// Writes events as ChampSim input_instr records: an instruction fetch opens a record, the loads
// and stores after it fill its operand slots (a new record is opened when slots run out).
// Used for size comparisons and tests; OS events are dropped, as the format has none.
class ChampSimWriter {
 public:
  explicit ChampSimWriter(std::vector<uint8_t>& out) : out_(out) {}
  void write(std::span<const Event> events);
  void finish();

 private:
  void flush();
  std::vector<uint8_t>& out_;
  bool open_ = false;
  uint64_t ip_ = 0;
  uint64_t dst_[2] = {}, src_[4] = {};
  int ndst_ = 0, nsrc_ = 0;
};

}  // namespace hvsim
