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

// "[cache]   # comment" -> "cache"; "" if the line is no table header.
std::string section_of(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() != '[') return "";
  const size_t close = line.find(']');
  return close == std::string_view::npos ? "" : std::string(trim(line.substr(1, close - 1)));
}

struct KeyLine {
  std::string key, value, comment;  // comment without its '#'
};

// "key = value   # comment"; false for other lines. Quoted values may hold '#'.
bool parse_key_line(std::string_view line, KeyLine& out) {
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

std::string render(const KeyLine& k) {
  std::string s = fmt::format("{} = {}", k.key, k.value);
  if (k.comment.empty()) return s;
  s.append(s.size() < kCommentColumn ? kCommentColumn - s.size() : 1, ' ');
  return s + "# " + k.comment;
}

void apply(KeyLine& k, const ProfileEdit& e) {
  if (e.value) {
    k.value = *e.value;
    k.comment = e.comment;
  } else if (!e.comment.empty()) {
    k.comment = k.comment.empty() ? e.comment : k.comment + "; " + e.comment;
  }
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
    const std::string_view line = base.substr(pos, nl - pos);
    pos = nl + 1;
    if (std::string s = section_of(line); !s.empty()) section = s;
    KeyLine k;
    bool edited = false;
    if (parse_key_line(line, k))
      for (size_t i = 0; i < edits.size(); ++i)
        if (edits[i].section == section && edits[i].key == k.key) {
          apply(k, edits[i]);
          used[i] = edited = true;
        }
    out += edited ? render(k) : std::string(line);
    out += '\n';
  }
  for (size_t i = 0; i < edits.size(); ++i)
    if (!used[i])
      throw std::logic_error(
          fmt::format("profile edit: the base profile has no {}.{}", edits[i].section, edits[i].key));
  return out;
}

}  // namespace hvsim
