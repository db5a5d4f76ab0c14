// Self-registering named components (schemes, workloads, trace formats): a new one is a file
// that registers itself; nothing else is edited.
#pragma once
#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hvsim {

template <class Factory>
class Registry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
    int order = 0;  // display order; ties broken by name
  };

  static Registry& instance() {
    static Registry r;
    return r;
  }

  bool add(std::string name, std::string description, Factory factory, int order = 100) {
    entries_[name] = Entry{name, std::move(description), std::move(factory), order};
    return true;
  }
  void remove(const std::string& name) { entries_.erase(name); }
  const Entry* find(const std::string& name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<const Entry*> all() const {
    std::vector<const Entry*> out;
    for (auto& [_, e] : entries_) out.push_back(&e);
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->order < b->order; });
    return out;
  }
  std::string names(const char* sep = ", ") const {
    std::string s;
    for (auto* e : all()) s += (s.empty() ? "" : sep) + e->name;
    return s;
  }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace hvsim
