// Writing a profile as edits of another profile's text (the default's): each edited key gets a
// new value and comment, or keeps its value with a note added to its comment; every other line,
// and so every other value with its source, stays as it was.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hvsim {

struct ProfileEdit {
  std::string section, key;          // "cache", "l1_cycles"; key "": the [section] line's comment
  std::optional<std::string> value;  // as TOML ("5", "\"48KiB\""); none: the value stays
  std::string comment;               // replaces the line's comment (with a value, or of a [section]
                                     // line), or is appended to it
};

// `base` with every edit applied and `header` (comment lines, each starting with '#') put
// first. Throws std::logic_error naming an edit whose key `base` does not have.
std::string rewrite_profile(std::string_view base, const std::vector<ProfileEdit>& edits,
                            std::string_view header);

}  // namespace hvsim
