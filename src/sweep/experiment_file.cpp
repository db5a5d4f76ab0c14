#include "sweep/experiment_file.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <filesystem>
#include <functional>
#include <map>

#include "common/error.h"
#include "common/text_file.h"
#include "common/units.h"
#include "schemes/scheme.h"
#include "workload/generator.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

struct Reader {
  const std::string& origin;
  std::string where(const toml::node& n) const { return fmt::format("{}:{}", origin, n.source().begin.line); }
  [[noreturn]] void fail(const toml::node& n, const std::string& message) const {
    throw InputError(fmt::format("{}: {}", where(n), message));
  }
};

// A scalar as the text a --set would give; empty for anything else.
std::string scalar_text(const toml::node& n) {
  if (auto v = n.as_string()) return v->get();
  if (auto v = n.as_integer()) return std::to_string(v->get());
  if (auto v = n.as_floating_point()) return fmt::format("{}", v->get());
  if (auto v = n.as_boolean()) return v->get() ? "true" : "false";
  return {};
}

// A string, or a list of them; a single string may be comma-separated ("gups,chase").
std::vector<std::string> names(const Reader& r, const toml::node& n, const std::string& key) {
  std::vector<std::string> out;
  auto add = [&](const toml::node& item) {
    auto s = item.as_string();
    if (!s || s->get().empty()) r.fail(item, fmt::format("'{}' should list non-empty strings", key));
    out.push_back(s->get());
  };
  if (auto a = n.as_array()) {
    for (auto& item : *a) add(item);
  } else if (n.is_string()) {
    std::string rest = n.as_string()->get();
    for (size_t at = 0; at <= rest.size();) {
      size_t comma = std::min(rest.find(',', at), rest.size());
      if (comma > at) out.push_back(rest.substr(at, comma - at));
      at = comma + 1;
    }
  } else {
    r.fail(n, fmt::format("'{}' should be a string or a list of strings", key));
  }
  if (out.empty()) r.fail(n, fmt::format("'{}' is empty; expected at least one name", key));
  return out;
}

// Relative paths are relative to the experiment file, so it runs the same from anywhere.
std::string beside(const std::string& file, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(file).parent_path() / path).lexically_normal().string();
}

void check_names(const Reader& r, const toml::node& n, const std::vector<std::string>& list,
                 const std::string& what, auto find, const std::string& known) {
  for (const auto& name : list)
    if (!find(name)) r.fail(n, fmt::format("unknown {} '{}'; expected one of: {}", what, name, known));
}

void read_schemes(const Reader& r, const toml::node& n, ExperimentFile& e) {
  auto& reg = SchemeRegistry::instance();
  for (const auto& s : names(r, n, "schemes")) {
    if (s == "all") {
      for (auto* entry : reg.all()) e.schemes.push_back(entry->name);
      continue;
    }
    if (!reg.find(s))
      r.fail(n, fmt::format("unknown scheme '{}'; expected some of: {}, or all", s, reg.names()));
    if (std::find(e.schemes.begin(), e.schemes.end(), s) == e.schemes.end()) e.schemes.push_back(s);
  }
}

uint64_t count_value(const Reader& r, const toml::node& n, const std::string& key, uint64_t min) {
  const std::string text = scalar_text(n);
  if (text.empty()) r.fail(n, fmt::format("'{}' should be a count such as 100k", key));
  try {
    return key == "footprint" ? parse_size(text, "footprint") : parse_count(text, key, min);
  } catch (const InputError& e) {
    r.fail(n, e.what());
  }
}

void read_seeds(const Reader& r, const toml::node& n, ExperimentFile& e) {
  e.seeds.clear();
  auto one = [&](const toml::node& item) {
    auto v = item.as_integer();
    if (!v || v->get() < 0) r.fail(item, "'seed' should be a non-negative integer or a list of them");
    e.seeds.push_back(static_cast<uint64_t>(v->get()));
  };
  if (auto a = n.as_array())
    for (auto& item : *a) one(item);
  else
    one(n);
  if (e.seeds.empty()) r.fail(n, "'seeds' is empty; expected at least one seed");
}

void read_experiment_table(const Reader& r, const toml::table& t, ExperimentFile& e) {
  const std::map<std::string, std::function<void(const toml::node&)>> keys = {
      {"name", [&](const toml::node& n) { e.name = scalar_text(n); }},
      {"workloads", [&](const toml::node& n) { e.workloads = names(r, n, "workloads"); }},
      {"traces",
       [&](const toml::node& n) {
         for (auto& t : names(r, n, "traces")) e.traces.push_back(beside(e.path, t));
       }},
      {"schemes", [&](const toml::node& n) { read_schemes(r, n, e); }},
      {"profile", [&](const toml::node& n) { e.profile = scalar_text(n); }},
      {"accesses", [&](const toml::node& n) { e.accesses = count_value(r, n, "accesses", 1); }},
      {"warmup", [&](const toml::node& n) { e.warmup = count_value(r, n, "warmup", 0); }},
      {"footprint", [&](const toml::node& n) { e.footprint = count_value(r, n, "footprint", 1); }},
      {"seed", [&](const toml::node& n) { read_seeds(r, n, e); }},
      {"seeds", [&](const toml::node& n) { read_seeds(r, n, e); }},
  };
  for (auto&& [k, v] : t) {
    auto it = keys.find(std::string(k.str()));
    if (it == keys.end())
      r.fail(v, fmt::format("unknown key 'experiment.{}'; expected one of: name, workloads, traces, schemes, "
                            "profile, accesses, warmup, footprint, seed, seeds",
                            k.str()));
    it->second(v);
  }
  if (e.profile.empty()) r.fail(t, "'profile' should name a built-in profile or a .toml file");
  if (!fs::exists(e.profile) && fs::exists(beside(e.path, e.profile))) e.profile = beside(e.path, e.profile);
}

// {from, to, step} (linear) or {from, to, factor} (geometric), integers, `to` included.
std::vector<std::string> axis_range(const Reader& r, const toml::table& t, const std::string& key) {
  auto get = [&](const char* name) -> std::optional<int64_t> {
    const toml::node* n = t.get(name);
    if (!n) return std::nullopt;
    if (!n->is_integer()) r.fail(*n, fmt::format("axis '{}': '{}' should be an integer", key, name));
    return n->as_integer()->get();
  };
  for (auto&& [k, v] : t)
    if (k != "from" && k != "to" && k != "step" && k != "factor")
      r.fail(v, fmt::format("axis '{}': unknown range key '{}'; expected from, to and step or factor", key,
                            k.str()));
  auto from = get("from"), to = get("to"), step = get("step"), factor = get("factor");
  if (!from || !to || !step == !factor)
    r.fail(t, fmt::format("axis '{}': a range needs from, to and one of step or factor", key));
  if (*from < 0 || *to < *from) r.fail(t, fmt::format("axis '{}': expected 0 <= from <= to", key));
  if ((step && *step < 1) || (factor && (*factor < 2 || *from == 0)))
    r.fail(t, fmt::format("axis '{}': expected step >= 1, or factor >= 2 with from > 0", key));
  std::vector<std::string> out;
  for (int64_t v = *from; v <= *to; v = step ? v + *step : v * *factor) {
    out.push_back(std::to_string(v));
    if (out.size() > kMaxSweepPoints)
      r.fail(t, fmt::format("axis '{}': more than {} values", key, kMaxSweepPoints));
  }
  return out;
}

// A table's entries in the file's order (toml++ keeps them sorted by key): the axes' order is
// the grid's order and the columns' of results.csv.
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (auto&& [k, v] : t) out.emplace_back(std::string(k.str()), &v);
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) {
    const auto &x = a.second->source().begin, &y = b.second->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return out;
}

void read_axes(const Reader& r, const toml::table& t, ExperimentFile& e) {
  for (auto&& [k, node] : in_file_order(t)) {
    const toml::node& v = *node;
    Axis axis{k, {}, r.where(v)};
    if (auto range = v.as_table()) {
      axis.values = axis_range(r, *range, axis.key);
    } else if (auto a = v.as_array()) {
      for (auto& item : *a) {
        std::string text = scalar_text(item);
        if (text.empty() && !item.is_string())
          r.fail(item, fmt::format("axis '{}': values should be numbers, strings or booleans", axis.key));
        if (std::find(axis.values.begin(), axis.values.end(), text) != axis.values.end())
          r.fail(item, fmt::format("axis '{}': value '{}' is listed twice", axis.key, text));
        axis.values.push_back(text);
      }
    } else {
      r.fail(v, fmt::format("axis '{}' should be a list of values or a range {{from, to, step}}", axis.key));
    }
    if (axis.values.empty())
      r.fail(v, fmt::format("axis '{}' is empty; expected at least one value", axis.key));
    e.axes.push_back(std::move(axis));
  }
}

void read_set(const Reader& r, const toml::table& t, ExperimentFile& e) {
  for (auto&& [k, node] : in_file_order(t)) {
    const toml::node& v = *node;
    std::string text = scalar_text(v);
    if (text.empty() && !v.is_string())
      r.fail(v, fmt::format("'{}' should be a number, string or boolean", k));
    e.set.push_back({k, text, r.where(v)});
  }
}

void check_whole(const Reader& r, const toml::table& tbl, const ExperimentFile& e) {
  const std::string where = r.origin;
  if (!tbl.get("experiment")) throw InputError(fmt::format("{}: no [experiment] table", where));
  const toml::node& x = *tbl.get("experiment");
  if (e.workloads.empty() == e.traces.empty())
    r.fail(x, "expected exactly one of 'workloads' and 'traces' in [experiment]");
  if (e.schemes.empty()) r.fail(x, "'schemes' is missing; expected a list of schemes (see `hvsim schemes`)");
  auto& wl = WorkloadRegistry::instance();
  check_names(
      r, x, e.workloads, "workload", [&](const std::string& w) { return wl.find(w) != nullptr; }, wl.names());
  uint64_t points = e.workloads.size() + e.traces.size();
  points *= e.seeds.size();
  for (const auto& a : e.axes) {
    for (const auto& s : e.set)
      if (s.key == a.key)
        throw InputError(fmt::format("{}: '{}' is both in [set] and an axis", a.where, a.key));
    points *= a.values.size();
    if (points > kMaxSweepPoints)
      throw InputError(fmt::format("{}: the grid has more than {} points", a.where, kMaxSweepPoints));
  }
}

}  // namespace

ExperimentFile read_experiment_file(const std::string& path) {
  const std::string text = read_bounded_file(path, kMaxExperimentBytes, "experiment file (docs/sweep.md)");
  toml::table tbl;
  try {
    tbl = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
  }
  ExperimentFile e;
  e.path = path;
  e.name = fs::path(path).stem().string();
  Reader r{path};
  for (auto&& [section, node] : tbl) {
    auto* t = node.as_table();
    const std::string name(section.str());
    if (!t || (name != "experiment" && name != "set" && name != "axes"))
      r.fail(node, fmt::format("unknown table '{}'; expected [experiment], [set] and [axes]", name));
    if (name == "experiment") read_experiment_table(r, *t, e);
    if (name == "set") read_set(r, *t, e);
    if (name == "axes") read_axes(r, *t, e);
  }
  check_whole(r, tbl, e);
  return e;
}

}  // namespace hvsim
