// hvsim: simulate the cost of virtualizing a VM's memory, side by side for every scheme.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/calibrate_command.h"
#include "cli/cluster_command.h"
#include "cli/compare_command.h"
#include "cli/io_command.h"
#include "cli/report_command.h"
#include "cli/reprice_command.h"
#include "cli/reproduce_command.h"
#include "cli/sweep_command.h"
#include "common/error.h"
#include "common/invocation.h"
#include "common/memory_budget.h"
#if __has_include("cli/trace_command.h")
#include "cli/trace_command.h"
#define HVSIM_HAVE_TRACE_COMMAND 1
#endif

namespace {

// CLI11 reports a misspelled command as "A subcommand is required", which names nothing: walk
// the command words first and name the one that is not a command.
void check_command_words(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  std::string where;  // "" at the top, else "hvsim profile: "
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    auto subs = level->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty() || word == "--") return;
    std::string names;
    for (auto* s : subs) names += (names.empty() ? "" : ", ") + s->get_name();
    if (word.rfind('-', 0) == 0) {
      if (const CLI::Option* opt = level->get_option_no_throw(word.substr(0, word.find('=')))) {
        // An option's value is not a command word (`hvsim io --policy exit measure`).
        if (word.find('=') == std::string::npos && opt->get_type_size() > 0 && opt->get_expected_min() > 0)
          ++i;
        continue;
      }
      if (level->get_require_subcommand_min() == 0)  // runs by itself too (`hvsim io`)
        throw CLI::ExtrasError(fmt::format("{}unknown option '{}'", where, word),
                               CLI::ExitCodes::ExtrasError);
      throw CLI::ExtrasError(fmt::format("{}unknown option '{}'; expected a command: {}", where, word, names),
                             CLI::ExitCodes::ExtrasError);
    }
    CLI::App* next = nullptr;
    for (auto* s : subs)
      if (s->check_name(word)) next = s;
    if (!next)
      throw CLI::ExtrasError(fmt::format("{}unknown command '{}'; expected one of: {}", where, word, names),
                             CLI::ExitCodes::ExtrasError);
    level = next;
    where = fmt::format("{}{}: ", where.empty() ? "hvsim " : where.substr(0, where.size() - 2) + " ", word);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{fmt::format(
      "hvsim {} - a trace-driven simulator of memory virtualization\n"
      "Puts native, nested (EPT/NPT), shadow paging and the other schemes side by side on one event\n"
      "stream: TLB misses, page-walk references and cycles, VM exits, hypervisor time, slowdown.",
      HVSIM_VERSION)};
  hvsim::record_invocation(argc, argv);
  app.set_version_flag("--version", std::string("hvsim ") + HVSIM_VERSION);
  app.require_subcommand(1);
  hvsim::register_compare_command(app);
  hvsim::register_reprice_command(app);
  hvsim::register_sweep_command(app);
  hvsim::register_io_command(app);
  hvsim::register_info_commands(app);
  hvsim::register_cluster_command(app);
  hvsim::register_report_command(app);
  hvsim::register_calibrate_command(app);
  hvsim::register_reproduce_command(app);
#ifdef HVSIM_HAVE_TRACE_COMMAND
  hvsim::register_trace_command(app);
#endif
  try {
    check_command_words(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error.
    fmt::print(stderr, "hvsim: error: {} (see --help)\n", e.what());
    return 2;
  } catch (const hvsim::InputError& e) {
    fmt::print(stderr, "hvsim: error: {}\n", e.what());
    return 2;
  } catch (const hvsim::SimulationError& e) {
    fmt::print(stderr, "hvsim: error: {}\n", e.what());
    return 3;
  } catch (const std::bad_alloc&) {
    // Last resort: the budget (--memory-limit) stops growing runs first; this is an allocation
    // the machine refused below that limit.
    fmt::print(
        stderr,
        "hvsim: error: out of memory below the memory budget ({}); lower --memory-limit or shrink the run\n",
        hvsim::MemoryBudget::instance().limit_source());
    return 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hvsim: internal error: {}\n", e.what());
    return 1;
  }
  return 0;
}
