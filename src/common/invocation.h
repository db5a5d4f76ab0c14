// The command line that started this process, recorded once by main so every result file can say
// exactly which command produced it (reports print it under each figure).
#pragma once
#include <string>

namespace hvsim {

// Records argv as one shell-quoted line: "hvsim compare --workload gups".
void record_invocation(int argc, const char* const* argv);
// The recorded line; empty when none was recorded (the library used without main).
const std::string& invocation();
// `word` quoted for a POSIX shell when it needs quoting: a ' b → 'a b'.
std::string shell_quote(const std::string& word);

}  // namespace hvsim
