#include "workload/trace/byte_input.h"

#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/error.h"

namespace hvsim {
namespace {

constexpr size_t kInBufSize = 256 * 1024;

class StreamInput final : public ByteInput {
 public:
  StreamInput(std::string name, int fd, bool own_fd, std::string mem, bool decompress)
      : fd_(fd), own_fd_(own_fd), mem_(std::move(mem)), inbuf_(new uint8_t[kInBufSize]) {
    name_ = std::move(name);
    if (fd_ < 0) stored_size_ = mem_.size();
    if (decompress) sniff();
  }
  // Reads the stored bytes from `base`.
  StreamInput(std::unique_ptr<ByteInput> base, bool decompress)
      : fd_(-1), own_fd_(false), base_(std::move(base)), inbuf_(new uint8_t[kInBufSize]) {
    name_ = base_->name();
    stored_size_ = base_->stored_size();
    if (decompress) sniff();
  }
  ~StreamInput() override {
    if (own_fd_ && fd_ >= 0) ::close(fd_);
    if (compression_ == Compression::kGzip) inflateEnd(&z_);
    if (compression_ == Compression::kXz) lzma_end(&xz_);
    if (zs_) ZSTD_freeDCtx(zs_);
  }

  size_t read(void* buf, size_t n) override {
    auto* dst = static_cast<uint8_t*>(buf);
    size_t got = 0;
    if (peek_pos_ < peek_.size()) {
      got = std::min(n, peek_.size() - peek_pos_);
      std::memcpy(dst, peek_.data() + peek_pos_, got);
      peek_pos_ += got;
    }
    if (got < n) got += deliver(dst + got, n - got);
    offset_ += got;
    return got;
  }

  std::string_view peek(size_t n) override {
    if (peek_pos_ > 0) {
      peek_.erase(0, peek_pos_);
      peek_pos_ = 0;
    }
    while (peek_.size() < n) {
      const size_t have = peek_.size();
      peek_.resize(n);
      const size_t got = deliver(reinterpret_cast<uint8_t*>(peek_.data()) + have, n - have);
      peek_.resize(have + got);
      if (got == 0) break;
    }
    return std::string_view(peek_).substr(0, n);
  }

 private:
  // Decoded bytes, fewer than n only at the end.
  size_t deliver(uint8_t* dst, size_t n) {
    switch (compression_) {
      case Compression::kNone:
        return read_plain(dst, n);
      case Compression::kGzip:
        return read_gzip(dst, n);
      case Compression::kXz:
        return read_xz(dst, n);
      case Compression::kZstd:
        return read_zstd(dst, n);
    }
    return 0;
  }

  // Reads raw bytes from the underlying input, fd or memory.
  size_t raw_read(uint8_t* dst, size_t n) {
    if (base_) return base_->read(dst, n);
    if (fd_ < 0) {
      size_t k = std::min(n, mem_.size() - mem_pos_);
      std::memcpy(dst, mem_.data() + mem_pos_, k);
      mem_pos_ += k;
      return k;
    }
    for (;;) {
      ssize_t r = ::read(fd_, dst, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno == EINTR) continue;
      throw InputError(name_ + ": read failed: " + std::strerror(errno));
    }
  }
  // Refills the input buffer when empty; returns false at the end of the raw input.
  bool fill() {
    if (in_pos_ < in_len_) return true;
    if (raw_eof_) return false;
    in_pos_ = 0;
    in_len_ = raw_read(inbuf_.get(), kInBufSize);
    if (in_len_ == 0) raw_eof_ = true;
    return in_len_ > 0;
  }
  void sniff() {
    // Collect up to 6 bytes (a pipe may deliver fewer per read). A base input delivers all it
    // is asked for, so it is asked for no more than the magic: asking for more would wait for
    // data that a live pipe has not produced yet.
    while (in_len_ < 6 && !raw_eof_) {
      size_t k = raw_read(inbuf_.get() + in_len_, base_ ? 6 - in_len_ : kInBufSize - in_len_);
      if (k == 0) raw_eof_ = true;
      in_len_ += k;
    }
    const uint8_t* b = inbuf_.get();
    if (in_len_ >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
      compression_ = Compression::kGzip;
      std::memset(&z_, 0, sizeof z_);
      if (inflateInit2(&z_, 15 + 16) != Z_OK) throw InputError(name_ + ": cannot start gzip decoder");
    } else if (in_len_ >= 6 && std::memcmp(b,
                                           "\xfd"
                                           "7zXZ\0",
                                           6) == 0) {
      compression_ = Compression::kXz;
      xz_ = LZMA_STREAM_INIT;
      if (lzma_stream_decoder(&xz_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
        throw InputError(name_ + ": cannot start xz decoder");
    } else if (in_len_ >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
      compression_ = Compression::kZstd;
      zs_ = ZSTD_createDCtx();
    }
  }
  [[noreturn]] void corrupt(const char* fmt, const std::string& detail) {
    throw FileFormatError(name_, raw_consumed_, std::string("corrupt ") + fmt + " data (" + detail + ")");
  }
  [[noreturn]] void truncated(const char* fmt) {
    throw FileFormatError(name_, raw_consumed_, std::string("truncated ") + fmt + " stream");
  }

  size_t read_plain(uint8_t* dst, size_t n) {
    size_t got = 0;
    while (got < n) {
      if (in_pos_ < in_len_) {
        size_t k = std::min(n - got, in_len_ - in_pos_);
        std::memcpy(dst + got, inbuf_.get() + in_pos_, k);
        in_pos_ += k;
        got += k;
        continue;
      }
      if (raw_eof_) break;
      size_t k = raw_read(dst + got, n - got);
      if (k == 0) raw_eof_ = true;
      got += k;
    }
    return got;
  }

  size_t read_gzip(uint8_t* dst, size_t n) {
    size_t got = 0;
    while (got < n && !done_) {
      if (!fill()) {
        if (member_ended_) {
          done_ = true;
          break;
        }
        truncated("gzip");
      }
      z_.next_in = inbuf_.get() + in_pos_;
      z_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      z_.next_out = dst + got;
      z_.avail_out = static_cast<uInt>(std::min<size_t>(n - got, 1u << 30));
      int rc = inflate(&z_, Z_NO_FLUSH);
      size_t used = (in_len_ - in_pos_) - z_.avail_in;
      in_pos_ += used;
      raw_consumed_ += used;
      got = static_cast<size_t>(z_.next_out - dst);
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
        inflateReset(&z_);
      } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
        if (used > 0 || z_.avail_out == 0) member_ended_ = false;
      } else {
        corrupt("gzip", z_.msg ? z_.msg : "inflate error");
      }
    }
    return got;
  }

  size_t read_xz(uint8_t* dst, size_t n) {
    size_t got = 0;
    while (got < n && !done_) {
      bool have = fill();
      xz_.next_in = inbuf_.get() + in_pos_;
      xz_.avail_in = in_len_ - in_pos_;
      xz_.next_out = dst + got;
      xz_.avail_out = n - got;
      lzma_ret rc = lzma_code(&xz_, have ? LZMA_RUN : LZMA_FINISH);
      size_t used = (in_len_ - in_pos_) - xz_.avail_in;
      in_pos_ += used;
      raw_consumed_ += used;
      got = n - xz_.avail_out;
      if (rc == LZMA_STREAM_END) {
        done_ = true;
      } else if (rc == LZMA_BUF_ERROR && !have) {
        truncated("xz");
      } else if (rc != LZMA_OK) {
        corrupt("xz", "lzma error " + std::to_string(static_cast<int>(rc)));
      }
    }
    return got;
  }

  size_t read_zstd(uint8_t* dst, size_t n) {
    size_t got = 0;
    while (got < n && !done_) {
      if (!fill()) {
        if (zs_pending_ == 0) {
          done_ = true;
          break;
        }
        truncated("zstd");
      }
      ZSTD_inBuffer in{inbuf_.get() + in_pos_, in_len_ - in_pos_, 0};
      ZSTD_outBuffer out{dst + got, n - got, 0};
      size_t rc = ZSTD_decompressStream(zs_, &out, &in);
      if (ZSTD_isError(rc)) corrupt("zstd", ZSTD_getErrorName(rc));
      in_pos_ += in.pos;
      raw_consumed_ += in.pos;
      got += out.pos;
      zs_pending_ = rc;
    }
    return got;
  }

  int fd_;
  bool own_fd_;
  std::unique_ptr<ByteInput> base_;
  std::string mem_;
  std::string peek_;  // peeked, not yet read, decoded bytes from peek_pos_ on
  size_t peek_pos_ = 0;
  size_t mem_pos_ = 0;
  std::unique_ptr<uint8_t[]> inbuf_;  // not value-initialized: short inputs touch little of it
  size_t in_pos_ = 0, in_len_ = 0;
  bool raw_eof_ = false;
  bool done_ = false;
  bool member_ended_ = false;
  uint64_t raw_consumed_ = 0;
  z_stream z_{};
  lzma_stream xz_ = LZMA_STREAM_INIT;
  ZSTD_DCtx* zs_ = nullptr;
  size_t zs_pending_ = 0;
};

}  // namespace

std::unique_ptr<ByteInput> ByteInput::open_file(const std::string& path, bool decompress) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
  off_t size = ::lseek(fd, 0, SEEK_END);
  ::lseek(fd, 0, SEEK_SET);
  auto in = std::make_unique<StreamInput>(path, fd, true, std::string(), decompress);
  in->stored_size_ = size > 0 ? static_cast<uint64_t>(size) : 0;
  return in;
}

std::unique_ptr<ByteInput> ByteInput::from_fd(int fd, std::string name) {
  return std::make_unique<StreamInput>(std::move(name), fd, false, std::string(), false);
}

std::unique_ptr<ByteInput> ByteInput::decompressing(std::unique_ptr<ByteInput> in) {
  return std::make_unique<StreamInput>(std::move(in), true);
}

std::unique_ptr<ByteInput> ByteInput::from_memory(std::string_view data, std::string name, bool decompress) {
  return std::make_unique<StreamInput>(std::move(name), -1, false, std::string(data), decompress);
}

void read_exact(ByteInput& in, void* buf, size_t n, const char* what) {
  uint64_t at = in.offset();
  size_t got = in.read(buf, n);
  if (got != n)
    throw FileFormatError(in.name(), at,
                          std::string("truncated: expected ") + what + " (" + std::to_string(n) +
                              " bytes), found " + std::to_string(got));
}

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kXz:
      return "xz";
    case Compression::kZstd:
      return "zstd";
  }
  return "?";
}

}  // namespace hvsim
