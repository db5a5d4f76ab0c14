#include "cli/reproduce_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli/reproduce_claims.h"
#include "common/error.h"
#include "common/invocation.h"
#include "report/atomic_file.h"

extern char** environ;

namespace hvsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct ReproduceArgs {
  std::string which = "all", json, data = "../shared/data";
  bool list = false;
};

std::string command_line(const std::vector<std::string>& args) {
  std::string out = "hvsim";
  for (const auto& a : args) {
    out += ' ';
    out += shell_quote(a);
  }
  return out;
}

std::string last_line(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// Runs this hvsim binary with `args`, its output to `log`; an error names the command and gives
// the last line it printed.
void run_self(const std::vector<std::string>& args, const fs::path& log) {
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> words = {self};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0)
    throw SimulationError(fmt::format("reproduce: could not start {}: {}", self, std::strerror(err)));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw SimulationError(fmt::format("reproduce: '{}' failed: {}", command_line(args), last_line(log)));
}

struct ClaimOutcome {
  const Claim* claim;
  ClaimVerdict verdict;
  std::vector<std::string> commands;
};

std::vector<std::string> with_data(std::vector<std::string> args, const std::string& data) {
  for (auto& a : args)
    for (size_t at; (at = a.find("{data}")) != std::string::npos;) a.replace(at, 6, data);
  return args;
}

ClaimOutcome reproduce(const Claim& c, const fs::path& dir, const std::string& data) {
  ClaimOutcome out{&c, {}, {}};
  for (const auto& f : c.needs)
    if (!fs::exists(fs::path(data) / f)) {
      out.verdict = {"not run", "skipped",
                     fmt::format("needs {} (--data DIR: the folder of ../shared/data/README.md)",
                                 (fs::path(data) / f).string())};
      return out;
    }
  std::vector<json> results;
  for (size_t i = 0; i < c.runs.size(); ++i) {
    const fs::path file = dir / fmt::format("{}-{}.json", c.name, i);
    std::vector<std::string> args = with_data(c.runs[i], data);
    out.commands.push_back(command_line(args));
    args.insert(args.end(), {"--json", file.string()});
    fmt::print(stderr, "reproduce {}: {}\n", c.name, out.commands.back());
    run_self(args, dir / "log");
    std::ifstream in(file);
    results.push_back(json::parse(in));
  }
  out.verdict = c.judge(results);
  return out;
}

std::string render(const ClaimOutcome& o) {
  const Claim& c = *o.claim;
  std::string s = fmt::format("{}: {} ({})\n  paper:   {}\n  hvsim:   {}\n  agrees:  {}", c.name, c.claim,
                              c.source, c.paper, o.verdict.figure, o.verdict.agrees);
  if (o.verdict.agrees != "yes") s += fmt::format(" (band: {}) — {}", c.band, o.verdict.reason);
  s += "\n";
  for (const auto& cmd : o.commands) s += fmt::format("  command: {}\n", cmd);
  return s;
}

json to_json(const ClaimOutcome& o) {
  const Claim& c = *o.claim;
  return {{"name", c.name},
          {"source", c.source},
          {"claim", c.claim},
          {"paper", c.paper},
          {"band", c.band},
          {"hvsim", o.verdict.figure},
          {"agrees", o.verdict.agrees},
          {"reason", o.verdict.reason},
          {"commands", o.commands}};
}

void run_reproduce(const ReproduceArgs& a) {
  const auto& claims = seed_claims();
  if (a.list) {
    for (const Claim& c : claims) fmt::print("{:<12} {} ({})\n", c.name, c.claim, c.source);
    return;
  }
  std::vector<const Claim*> chosen;
  for (const Claim& c : claims)
    if (a.which == "all" || a.which == c.name) chosen.push_back(&c);
  if (chosen.empty()) {
    std::string names;
    for (const Claim& c : claims) {
      if (!names.empty()) names += ", ";
      names += c.name;
    }
    throw InputError(
        fmt::format("reproduce: unknown claim '{}'; expected all or one of: {}", a.which, names));
  }
  if (!a.json.empty()) check_output_paths({{"--json", a.json}});
  const fs::path dir = fs::temp_directory_path() / fmt::format("hvsim-reproduce-{}", ::getpid());
  fs::create_directories(dir);
  std::vector<ClaimOutcome> outcomes;
  try {
    for (const Claim* c : chosen) {
      outcomes.push_back(reproduce(*c, dir, a.data));
      fmt::print("{}\n", render(outcomes.back()));
      std::fflush(stdout);
    }
  } catch (...) {
    fs::remove_all(dir);
    throw;
  }
  fs::remove_all(dir);
  fmt::print("{:<12} {}\n", "claim", "agrees");
  for (const auto& o : outcomes) fmt::print("{:<12} {}\n", o.claim->name, o.verdict.agrees);
  if (!a.json.empty()) {
    json j = {{"claims", json::array()}};
    for (const auto& o : outcomes) j["claims"].push_back(to_json(o));
    write_output_file({"--json", a.json}, j.dump(2) + "\n");
  }
}

}  // namespace

void register_reproduce_command(CLI::App& app) {
  auto args = std::make_shared<ReproduceArgs>();
  auto* cmd =
      app.add_subcommand("reproduce",
                         "Run each seed's claim as a fixed experiment and print claim | paper's figure | "
                         "hvsim's figure | agrees "
                         "(direction, and within the stated band) | the commands it ran (docs/fidelity.md)");
  cmd->add_option("claim", args->which, "a claim's name (see --list), or all")->capture_default_str();
  cmd->add_option("--json", args->json, "also write every claim's outcome to this file");
  cmd->add_option("--data", args->data, "the data folder the cluster claim reads")->capture_default_str();
  cmd->add_flag("--list", args->list, "list the claims and exit");
  cmd->callback([args] { run_reproduce(*args); });
}

}  // namespace hvsim
