#include "common/text_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/units.h"

namespace hvsim {

std::string read_bounded_file(const std::string& path, uint64_t max_bytes, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(fmt::format("{}: no such file; expected a {}", path, what));
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path, ec)) throw InputError(fmt::format("{}: cannot read the {}", path, what));
  // In chunks, up to one byte past the limit: memory grows with the file, not the bound.
  std::string text;
  constexpr size_t kChunk = size_t{1} << 20;
  while (in && text.size() <= max_bytes) {
    const size_t old = text.size();
    text.resize(old + std::min<uint64_t>(kChunk, max_bytes + 1 - old));
    in.read(text.data() + old, static_cast<std::streamsize>(text.size() - old));
    text.resize(old + static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw InputError(fmt::format("{}: cannot read the {}", path, what));
  if (text.size() > max_bytes)
    throw InputError(fmt::format("{}: larger than {}; expected a {}", path, format_size(max_bytes), what));
  return text;
}

}  // namespace hvsim
