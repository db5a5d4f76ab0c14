// DynamoRIO drmemtrace offline traces (after raw2trace): a zip archive whose members
// ("chunk.0000", "chunk.0001", …) hold packed 12-byte trace_entry_t records
// {u16 type, u16 size, u64 addr}. Trace versions up to 6 are accepted (5 = branch info).
// A directory of per-thread archives is read archive by archive, in name order.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "workload/event_source.h"

struct zip;
struct zip_file;

namespace hvsim {

class DrmemtraceReader final : public EventSource {
 public:
  // `path` is one archive or a directory of them.
  static std::unique_ptr<DrmemtraceReader> open(const std::string& path);
  // An archive held in memory; `name` is used in messages.
  static std::unique_ptr<DrmemtraceReader> from_memory(std::string data, std::string name);
  ~DrmemtraceReader() override;
  size_t next_batch(std::span<Event> out) override;
  std::string describe() const override { return "drmemtrace:" + path_; }

 private:
  DrmemtraceReader() = default;
  void open_archive(size_t index);
  bool open_next_member();
  void decode(const uint8_t* rec);
  [[noreturn]] void bad(uint64_t off, const std::string& what);

  std::string path_;
  std::vector<std::string> archives_;  // files, or a single in-memory archive
  std::string memory_;                 // backing store for from_memory
  bool in_memory_ = false;
  size_t archive_ = 0;
  zip* zip_ = nullptr;
  std::vector<std::pair<std::string, uint64_t>> members_;  // name, index; in name order
  size_t member_ = 0;
  zip_file* file_ = nullptr;
  uint64_t member_off_ = 0;
  std::vector<uint8_t> buf_;
  size_t buf_pos_ = 0, buf_len_ = 0;
  Event pending_[16];
  size_t npending_ = 0, ppos_ = 0;
  uint32_t pid_ = 0;
  std::unordered_map<uint64_t, uint32_t> pids_;
  uint64_t last_pc_ = 0;
  uint32_t last_len_ = 0;
  bool saw_header_ = false;
  bool ended_ = false;  // footer seen in the current archive
};

}  // namespace hvsim
