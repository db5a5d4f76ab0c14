#include "cluster/csv_table.h"

#include <fmt/format.h>
#include <zlib.h>

#include <sys/stat.h>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "common/error.h"

namespace hvsim {
namespace {

// VM tables are at most a few hundred MB (Azure V2's vmtable: 2.7M rows); a bound keeps a
// device such as /dev/zero from reading forever.
constexpr uint64_t kMaxTableBytes = uint64_t{8} << 30;

std::string read_maybe_gzip(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw InputError(fmt::format("{}: is a directory; expected a CSV file", path));
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int code = 0;
      std::string msg = gzerror(f, &code);
      gzclose(f);
      throw InputError(fmt::format("{}: cannot read: {}", path, msg));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxTableBytes) {
      gzclose(f);
      throw InputError(
          fmt::format("{}: larger than {} GiB; expected a VM table", path, kMaxTableBytes >> 30));
    }
  }
  gzclose(f);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

CsvTable::CsvTable(const std::string& path, bool has_header) : path_(path), text_(read_maybe_gzip(path)) {
  if (text_.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputError(fmt::format("{}: the file is empty; expected {}", path,
                                 has_header ? "a header line and rows" : "rows"));
  if (has_header) split_next_line(header_);
}

bool CsvTable::split_next_line(std::vector<std::string_view>& out) {
  while (pos_ < text_.size()) {
    size_t eol = text_.find('\n', pos_);
    if (eol == std::string::npos) eol = text_.size();
    std::string_view line(text_.data() + pos_, eol - pos_);
    pos_ = eol + 1;
    ++line_;
    if (trim(line).empty()) continue;
    out.clear();
    size_t start = 0;
    for (;;) {
      const size_t comma = line.find(',', start);
      out.push_back(
          trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return true;
  }
  return false;
}

bool CsvTable::next() { return split_next_line(fields_); }

bool CsvTable::has_column(const std::string& name) const {
  for (auto h : header_)
    if (h == name) return true;
  return false;
}

size_t CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return i;
  std::string have;
  for (auto h : header_) {
    if (!have.empty()) have += ',';
    have.append(h);
  }
  throw FileFormatError::at_line(path_, 1,
                                 fmt::format("missing column '{}'; the header has: {}", name, have));
}

std::string_view CsvTable::field(size_t i) const {
  if (i >= fields_.size())
    fail(fmt::format("expected at least {} comma-separated fields, found {}", i + 1, fields_.size()));
  return fields_[i];
}

void CsvTable::fail(const std::string& what) const { throw FileFormatError::at_line(path_, line_, what); }

uint64_t CsvTable::unsigned_at(size_t i, const char* name) const {
  const std::string_view s = field(i);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    fail(fmt::format("column {}: '{}' is not a non-negative integer", name, s));
  return v;
}

int64_t CsvTable::signed_at(size_t i, const char* name) const {
  const std::string_view s = field(i);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    fail(fmt::format("column {}: '{}' is not an integer", name, s));
  return v;
}

double CsvTable::number_at(size_t i, const char* name) const {
  const std::string_view s = field(i);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !(v == v))
    fail(fmt::format("column {}: '{}' is not a number", name, s));
  return v;
}

}  // namespace hvsim
