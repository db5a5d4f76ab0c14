// `hvsim trace record|convert|info`.
#pragma once

namespace CLI {
class App;
}

namespace hvsim {

// Adds the `trace` subcommand (with record, convert, info) to `app`. User errors are thrown
// as InputError from the subcommand callbacks.
void register_trace_command(CLI::App& app);

}  // namespace hvsim
