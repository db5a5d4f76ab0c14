// The seeds' claims as fixed experiments: each names the hvsim commands it runs (each writing a
// JSON result) and judges what they wrote against the paper's figure. `hvsim reproduce` runs them.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hvsim {

struct ClaimVerdict {
  std::string figure;  // what hvsim measured, in the paper's terms
  std::string agrees;  // "yes" (direction and within the band), "direction" (only), or "no"
  std::string reason;  // why, where it is not "yes" (docs/fidelity.md has the longer story)
};

struct Claim {
  std::string name;    // the word `hvsim reproduce NAME` takes
  std::string source;  // the paper
  std::string claim;
  std::string paper;  // the paper's figure
  std::string band;   // what "within the band" means here
  // Each run: the arguments after `hvsim` (its `--json FILE` is added); run in this order. An
  // argument's `{data}` stands for the data folder (`hvsim reproduce --data`).
  std::vector<std::vector<std::string>> runs;
  // Judges the runs' JSON results, in the order of `runs`.
  std::function<ClaimVerdict(const std::vector<nlohmann::json>&)> judge;
  // Files under the data folder the runs read: without them the claim is skipped, saying so.
  std::vector<std::string> needs = {};
};

const std::vector<Claim>& seed_claims();

}  // namespace hvsim
