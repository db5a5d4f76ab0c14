#include "workload/trace/line_reader.h"

#include <cstring>

#include "common/error.h"

namespace hvsim {

LineReader::LineReader(std::unique_ptr<ByteInput> in, CompleteCheck unterminated_ok)
    : in_(std::move(in)), unterminated_ok_(unterminated_ok), buf_(new char[kBufSize]) {}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buf_.get() + pos_;
    const void* nl = std::memchr(start, '\n', len_ - pos_);
    if (nl || (eof_ && pos_ < len_)) {
      const char* end = nl ? static_cast<const char*>(nl) : buf_.get() + len_;
      size_t n = static_cast<size_t>(end - start);
      pos_ += n + (nl ? 1 : 0);
      ++line_no_;
      if (n > kMaxLine)
        throw FileFormatError::at_line(name(), line_no_,
                                       "line longer than " + std::to_string(kMaxLine) + " bytes");
      if (n > 0 && start[n - 1] == '\r') --n;
      line = std::string_view(start, n);
      if (!nl && !(unterminated_ok_ && unterminated_ok_(line)))
        throw FileFormatError::at_line(name(), line_no_, "truncated last line (no newline at end of file)");
      return true;
    }
    if (eof_) return false;
    // Move the partial line to the front and refill.
    if (len_ - pos_ > kMaxLine)
      throw FileFormatError::at_line(name(), line_no_ + 1,
                                     "line longer than " + std::to_string(kMaxLine) + " bytes");
    std::memmove(buf_.get(), buf_.get() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
    size_t got = in_->read(buf_.get() + len_, kBufSize - len_);
    if (got == 0) eof_ = true;
    len_ += got;
  }
}

bool parse_hex(std::string_view s, uint64_t& out) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9')
      d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      d = static_cast<unsigned>(c - 'A' + 10);
    else
      return false;
    v = (v << 4) | d;
  }
  out = v;
  return true;
}

bool parse_dec(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

}  // namespace hvsim
