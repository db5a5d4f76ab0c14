// The layer check (tools/check_layers.sh): the tree passes, and a wrong-way include is reported
// with its file and line.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>

#include <cstdio>
#include <string>

namespace {

struct Output {
  int status;
  std::string text;
};

Output run(const std::string& args) {
  std::string cmd = std::string(HVSIM_SOURCE_DIR) + "/tools/check_layers.sh " + args + " 2>&1";
  Output o{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return o;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) o.text.append(buf.data(), n);
  int rc = pclose(p);
  o.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return o;
}

TEST(Layers, TheTreeIncludesOnlyDownward) {
  Output o = run("");
  EXPECT_EQ(o.status, 0) << o.text;
  EXPECT_EQ(o.text, "");
}

TEST(Layers, AWrongWayIncludeIsReportedWithFileAndLine) {
  Output o = run(std::string(HVSIM_SOURCE_DIR) + "/tests/data/layers");
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(
      o.text,
      "src/paging/wrong_way.h:6: layer 'paging' includes \"schemes/scheme.h\"; it may use only: paging, mem, "
      "common\n");
}

}  // namespace
