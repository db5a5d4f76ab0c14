// A scratch folder for report tests, removed at the end.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace hvsim::test {

struct ReportDir {
  std::filesystem::path path;
  explicit ReportDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / fmt::format("hvsim-report-{}-{}", name, ::getpid())) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ReportDir() { std::filesystem::remove_all(path); }
  std::string at(const std::string& name) const { return (path / name).string(); }
  std::string file(const std::string& name, const std::string& content) const {
    std::ofstream(path / name) << content;
    return at(name);
  }
};

inline std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace hvsim::test
