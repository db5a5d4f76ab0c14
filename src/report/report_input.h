// What `hvsim report` draws from: result files of `hvsim compare`/`reprice --json`, of
// `hvsim cluster --json`, and sweep folders (DIR/results.csv). Everything is read and checked
// before any output is written.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hvsim {

// DIR/results.csv: one row per point x scheme; values that read as numbers are numbers.
struct SweepTable {
  std::vector<std::string> axes;     // columns that are neither `scheme` nor a known metric
  std::vector<std::string> metrics;  // metric columns, in file order
  std::vector<nlohmann::json> rows;  // one object per CSV row
};

struct ReportSource {
  enum class Kind : uint8_t { kResult, kCluster, kSweep };
  Kind kind = Kind::kResult;
  std::string path;    // as given on the command line
  nlohmann::json doc;  // the result or cluster JSON
  SweepTable sweep;
};

// Reads every path: a directory is a sweep, a file a result or cluster JSON. Throws InputError
// naming the path and what was expected.
std::vector<ReportSource> load_report_sources(const std::vector<std::string>& paths);

// Parses the sweep table `text` (RFC 4180 quoting); `origin` names it in errors.
SweepTable parse_sweep_csv(const std::string& text, const std::string& origin);

}  // namespace hvsim
