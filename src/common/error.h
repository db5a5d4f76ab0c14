// Errors that reach the user. Every one renders as a single line that names the input (file and
// offset/line where there is one) and what was expected.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace hvsim {

// Bad input from the user: a flag, a config key, a file. Exit status 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

// A file whose content is wrong at a known place.
class FileFormatError : public InputError {
 public:
  FileFormatError(const std::string& file, uint64_t offset, const std::string& what)
      : InputError(file + ": at byte offset " + std::to_string(offset) + ": " + what) {}
  static FileFormatError at_line(const std::string& file, uint64_t line, const std::string& what) {
    return FileFormatError(file + ":" + std::to_string(line) + ": " + what);
  }

 private:
  explicit FileFormatError(const std::string& full) : InputError(full) {}
};

// A simulated resource ran out (e.g. guest memory smaller than the footprint). Exit status 3.
class SimulationError : public std::runtime_error {
 public:
  explicit SimulationError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace hvsim
