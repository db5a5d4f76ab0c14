// Sequential byte input from a file, a pipe or memory, with transparent gzip / xz / zstd
// decompression sniffed from the first bytes. Offsets are counted in delivered (decompressed)
// bytes so errors can point at a record.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hvsim {

enum class Compression { kNone, kGzip, kXz, kZstd };

class ByteInput {
 public:
  virtual ~ByteInput() = default;
  // Opens `path`; throws InputError if it cannot be opened. With decompress=false the bytes are
  // delivered as stored.
  static std::unique_ptr<ByteInput> open_file(const std::string& path, bool decompress = true);
  // Reads from an inherited descriptor (a pipe); never decompresses. Does not close fd.
  static std::unique_ptr<ByteInput> from_fd(int fd, std::string name);
  // Reads a copy of `data`; `name` is used in error messages.
  static std::unique_ptr<ByteInput> from_memory(std::string_view data, std::string name,
                                                bool decompress = true);
  // Undoes the compression that `in`'s first bytes call for (gzip, xz, zstd); uncompressed data
  // passes through. `in` delivers stored bytes; its name and stored size carry over.
  static std::unique_ptr<ByteInput> decompressing(std::unique_ptr<ByteInput> in);

  // Reads up to n bytes, fewer only at the end of the input; returns 0 at the end.
  virtual size_t read(void* buf, size_t n) = 0;
  // The next bytes, up to n (fewer only at the end of the input), without consuming them: the
  // following reads deliver them again. This is how a format is sniffed from a pipe, which
  // cannot be reopened. The view is valid until the next read or peek.
  virtual std::string_view peek(size_t n) = 0;
  // Bytes delivered so far.
  uint64_t offset() const { return offset_; }
  const std::string& name() const { return name_; }
  Compression compression() const { return compression_; }
  // Size of the stored input if known (files, memory), else 0.
  uint64_t stored_size() const { return stored_size_; }

 protected:
  std::string name_;
  uint64_t offset_ = 0;
  Compression compression_ = Compression::kNone;
  uint64_t stored_size_ = 0;
};

// Reads exactly n bytes or throws FileFormatError("truncated ... expected <what>").
void read_exact(ByteInput& in, void* buf, size_t n, const char* what);

std::string_view compression_name(Compression c);

}  // namespace hvsim
