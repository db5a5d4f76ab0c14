// Output files are written to a temporary sibling and renamed into place, so a failed run never
// leaves a complete-looking partial file.
#pragma once
#include <string>

namespace hvsim {

// Writes `content` to `path` atomically; throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace hvsim
