// Opening a trace file of any supported format, sniffing the format when none is given.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "workload/event_source.h"
#include "workload/trace/byte_input.h"

namespace hvsim {

// Format names accepted by --format / --from, in display order.
const std::vector<std::string>& trace_format_names();
// One line per format with what it is, for --help.
std::string trace_formats_help();

// Detects the format of `path` from its magic bytes, name and content; throws InputError naming
// the supported formats when it cannot tell. Reads the file: for a pipe use open_trace's
// `format_out` instead, which sniffs the same input it then reads.
std::string sniff_trace_format(const std::string& path);

// Opens `path` ("-" = standard input) as `format` ("" = sniff), and sets *format_out to the
// format used. The input is opened once and a sniffed head is read again by the reader, so pipes
// and FIFOs deliver every event; only drmemtrace zips need a regular file. Unknown format →
// InputError listing the supported ones.
std::unique_ptr<EventSource> open_trace(const std::string& path, const std::string& format,
                                        std::string* format_out = nullptr);

// open_trace for a simulation: a file (or drmemtrace directory) is decoded on a thread of its
// own, ahead of the events being simulated (workload/read_ahead_source.h).
std::unique_ptr<EventSource> open_trace_read_ahead(const std::string& path, const std::string& format,
                                                   std::string* format_out = nullptr);

// The same for an input already open (it delivers the stored bytes), read as a stream.
std::unique_ptr<EventSource> open_trace_stream(std::unique_ptr<ByteInput> in, const std::string& format,
                                               std::string* format_out = nullptr);

}  // namespace hvsim
