#include "common/invocation.h"

#include <filesystem>

namespace hvsim {
namespace {

std::string& recorded() {
  static std::string line;
  return line;
}

}  // namespace

std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-+=./,:@%") == std::string::npos;
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

void record_invocation(int argc, const char* const* argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    // The program by its name, not the build path it happened to run from.
    const std::string word = i ? std::string(argv[i]) : std::filesystem::path(argv[0]).filename().string();
    if (i) line += ' ';
    line += shell_quote(word);
  }
  recorded() = line;
}

const std::string& invocation() { return recorded(); }

}  // namespace hvsim
