// Splits a ByteInput into lines without copying each line; tracks the line number for errors.
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "workload/trace/byte_input.h"

namespace hvsim {

class LineReader {
 public:
  static constexpr size_t kMaxLine = 64 * 1024;
  // Says whether a last line that has no '\n' is nevertheless a whole record.
  using CompleteCheck = bool (*)(std::string_view line);
  // A last line without '\n' means the input was cut short, so it is an error, unless
  // `unterminated_ok` accepts it (for writers that can legitimately stop mid-line).
  explicit LineReader(std::unique_ptr<ByteInput> in, CompleteCheck unterminated_ok = nullptr);
  // Next line without its '\n' (and a trailing '\r'); false at the end of input. A line longer
  // than kMaxLine, or a truncated last line, is an error.
  bool next(std::string_view& line);
  uint64_t line_number() const { return line_no_; }
  const std::string& name() const { return in_->name(); }
  ByteInput& input() { return *in_; }
  const ByteInput& input() const { return *in_; }

 private:
  std::unique_ptr<ByteInput> in_;
  CompleteCheck unterminated_ok_;
  // Not value-initialized: zeroing 1 MiB would cost more than reading a short input.
  static constexpr size_t kBufSize = 1 << 20;
  std::unique_ptr<char[]> buf_;
  size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
  uint64_t line_no_ = 0;
};

// Parses a hexadecimal number (optional 0x) that fills the whole of `s`.
bool parse_hex(std::string_view s, uint64_t& out);
// Parses a decimal number that fills the whole of `s`.
bool parse_dec(std::string_view s, uint64_t& out);

}  // namespace hvsim
