#include "calibrate/profile_rewrite.h"

#include <fmt/format.h>

#include <stdexcept>

namespace hvsim {
namespace {

constexpr size_t kCommentColumn = 32;  // as in configs/default.toml

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// "[cache]   # comment" -> "cache"; "" if the line is no table header.
std::string section_of(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() != '[') return "";
  const size_t close = line.find(']');
  return close == std::string_view::npos ? "" : std::string(trim(line.substr(1, close - 1)));
}

// A key line, "key = value   # comment", or a table header, "[name]   # comment" (value empty).
struct Line {
  std::string key, value, comment;  // comment without its '#'
};

// False for lines that are neither key lines nor headers. Quoted values may hold '#'.
bool parse_key_line(std::string_view line, Line& out) {
  const std::string_view t = trim(line);
  if (t.empty() || t.front() == '#' || t.front() == '[') return false;
  const size_t eq = t.find('=');
  if (eq == std::string_view::npos) return false;
  out.key = std::string(trim(t.substr(0, eq)));
  std::string_view rest = trim(t.substr(eq + 1));
  size_t end = 0;
  if (!rest.empty() && rest.front() == '"') {
    end = rest.find('"', 1);
    end = end == std::string_view::npos ? rest.size() : end + 1;
  }
  const size_t hash = rest.find('#', end);
  out.value = std::string(trim(rest.substr(0, hash)));
  out.comment = hash == std::string_view::npos ? "" : std::string(trim(rest.substr(hash + 1)));
  return true;
}

std::string render(const Line& k) {
  std::string s = k.value.empty() ? k.key : fmt::format("{} = {}", k.key, k.value);
  if (k.comment.empty()) return s;
  s.append(s.size() < kCommentColumn ? kCommentColumn - s.size() : 1, ' ');
  return s + "# " + k.comment;
}

void apply(Line& k, const ProfileEdit& e) {
  if (e.value) {
    k.value = *e.value;
    k.comment = one_line(e.comment);
  } else if (k.value.empty()) {  // a header: its comment is replaced
    k.comment = one_line(e.comment);
  } else if (!e.comment.empty()) {
    k.comment = k.comment.empty() ? one_line(e.comment) : k.comment + "; " + one_line(e.comment);
  }
}

// The line with the edits that name it applied; marks them used.
std::string edit_line(std::string_view line, std::string& section, const std::vector<ProfileEdit>& edits,
                      std::vector<bool>& used) {
  Line k;
  std::string key;
  if (std::string s = section_of(line); !s.empty()) {
    section = s;
    k = {"[" + s + "]", "", ""};
  } else if (parse_key_line(line, k)) {
    key = k.key;
  } else {
    return std::string(line);
  }
  bool edited = false;
  for (size_t i = 0; i < edits.size(); ++i)
    if (edits[i].section == section && edits[i].key == key) {
      apply(k, edits[i]);
      used[i] = edited = true;
    }
  return edited ? render(k) : std::string(line);
}

}  // namespace

std::string rewrite_profile(std::string_view base, const std::vector<ProfileEdit>& edits,
                            std::string_view header) {
  std::vector<bool> used(edits.size(), false);
  std::string out(header), section;
  if (!out.empty() && out.back() != '\n') out += '\n';
  size_t pos = 0;
  while (pos < base.size()) {
    size_t nl = base.find('\n', pos);
    if (nl == std::string_view::npos) nl = base.size();
    out += edit_line(base.substr(pos, nl - pos), section, edits, used) + "\n";
    pos = nl + 1;
  }
  for (size_t i = 0; i < edits.size(); ++i)
    if (!used[i])
      throw std::logic_error(fmt::format("profile edit: the base profile has no {}{}{}", edits[i].section,
                                         edits[i].key.empty() ? " section" : ".", edits[i].key));
  return out;
}

}  // namespace hvsim
