// A comma-separated table read whole (plain or gzip: zlib reads both), with its header's columns
// looked up by name so that a missing column is named, and every bad field reported as
// FILE:LINE: what was expected.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hvsim {

class CsvTable {
 public:
  // Reads `path`; throws InputError when it cannot be read or holds no line. With `has_header`,
  // the first line names the columns.
  CsvTable(const std::string& path, bool has_header);

  // Advances to the next non-empty data row; false at the end.
  bool next();
  // The index of header column `name`; throws "FILE:1: missing column 'NAME'; the header has: …".
  size_t column(const std::string& name) const;
  bool has_column(const std::string& name) const;
  size_t field_count() const { return fields_.size(); }
  std::string_view field(size_t i) const;  // throws naming the line when the row is too short
  uint64_t line() const { return line_; }
  const std::string& path() const { return path_; }

  // Field parsers; throw "FILE:LINE: column NAME: 'TEXT' is not …".
  uint64_t unsigned_at(size_t i, const char* name) const;
  int64_t signed_at(size_t i, const char* name) const;
  double number_at(size_t i, const char* name) const;
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string path_, text_;
  size_t pos_ = 0;
  uint64_t line_ = 0;
  std::vector<std::string_view> header_, fields_;
  bool split_next_line(std::vector<std::string_view>& out);
};

}  // namespace hvsim
