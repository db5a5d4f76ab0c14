// Opening a trace file of any supported format, sniffing the format when none is given.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "workload/event_source.h"

namespace hvsim {

// Format names accepted by --format / --from, in display order.
const std::vector<std::string>& trace_format_names();
// One line per format with what it is, for --help.
std::string trace_formats_help();

// Detects the format of `path` from its magic bytes, name and content; throws InputError naming
// the supported formats when it cannot tell.
std::string sniff_trace_format(const std::string& path);

// Opens `path` as `format` ("" = sniff). Unknown format → InputError listing the supported ones.
std::unique_ptr<EventSource> open_trace(const std::string& path, const std::string& format);

}  // namespace hvsim
