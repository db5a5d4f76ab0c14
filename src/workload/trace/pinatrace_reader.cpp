#include "workload/trace/pinatrace_reader.h"

#include "common/error.h"
#include "common/printable.h"

namespace hvsim {
namespace {

// Splits off the next space-separated token.
std::string_view token(std::string_view& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) {
    s = {};
    return {};
  }
  s.remove_prefix(b);
  size_t e = s.find_first_of(" \t");
  std::string_view t = s.substr(0, e);
  s.remove_prefix(e == std::string_view::npos ? s.size() : e);
  return t;
}

bool parse_ptr(std::string_view s, uint64_t& v) {
  if (s == "(nil)" || s == "0") {
    v = 0;
    return true;
  }
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && parse_hex(s, v);
}

}  // namespace

size_t PinatraceReader::next_batch(std::span<Event> out) {
  size_t n = 0;
  if (has_held_ && n < out.size()) {
    out[n++] = held_;
    has_held_ = false;
  }
  std::string_view line;
  while (n < out.size() && lines_.next(line)) {
    std::string_view rest = line;
    std::string_view t0 = token(rest);
    if (t0.empty() || t0[0] == '#') continue;
    auto bad = [&] {
      throw FileFormatError::at_line(
          lines_.name(), lines_.line_number(),
          "expected a pinatrace record like '0x401234: R 0x7ffd1230 [size [value]]', "
          "found '" +
              printable(line) + "'");
    };
    if (t0.back() != ':') bad();
    t0.remove_suffix(1);
    uint64_t ip = 0, addr = 0, size = opt_.default_size;
    std::string_view op = token(rest), a = token(rest), sz = token(rest);
    if (!parse_ptr(t0, ip) || op.size() != 1 || (op[0] != 'R' && op[0] != 'W') || !parse_ptr(a, addr)) bad();
    if (!sz.empty() && (!parse_dec(sz, size) || size == 0 || size > 255)) bad();
    Event e =
        Event::access(op[0] == 'R' ? EventKind::kLoad : EventKind::kStore, addr, static_cast<uint8_t>(size));
    if (opt_.ifetch && ip != last_ip_) {
      out[n++] = Event::access(EventKind::kIFetch, ip, 1);
      last_ip_ = ip;
      if (n == out.size()) {
        held_ = e;
        has_held_ = true;
        break;
      }
    }
    out[n++] = e;
  }
  return n;
}

}  // namespace hvsim
