#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/error.h"
#include "workload/trace/drmemtrace_reader.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

struct Entry {
  uint16_t type, size;
  uint64_t addr;
};
std::string entries(const std::vector<Entry>& v) {
  std::string s;
  for (auto& e : v) {
    char r[12];
    std::memcpy(r, &e.type, 2);
    std::memcpy(r + 2, &e.size, 2);
    std::memcpy(r + 4, &e.addr, 8);
    s.append(r, 12);
  }
  return s;
}
uint64_t bundle(std::initializer_list<uint8_t> lens) {
  uint64_t v = 0;
  int i = 0;
  for (uint8_t l : lens) v |= static_cast<uint64_t>(l) << (8 * i++);
  return v;
}

// Builds a zip archive in a file with the given members (stored in order given).
void make_zip(const fs::path& p, const std::vector<std::pair<std::string, std::string>>& members) {
  int err = 0;
  zip_t* z = zip_open(p.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  for (auto& [name, data] : members) {
    zip_source_t* s = zip_source_buffer(z, data.data(), data.size(), 0);
    ASSERT_GE(zip_file_add(z, name.c_str(), s, ZIP_FL_OVERWRITE), 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}

fs::path temp_dir() {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path d =
      fs::temp_directory_path() / ("hvsim_drm_" + std::string(info->name()) + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<Event> read_all(EventSource& s) {
  std::vector<Event> out, buf(3);
  while (size_t n = s.next_batch(buf))
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
  return out;
}

const std::vector<Entry> kChunk0 = {
    {25, 0, 5},          // header, version 5
    {22, 4, 1774673},    // thread
    {24, 4, 1774669},    // pid
    {28, 12, 5},         // marker: version
    {28, 2, 123456789},  // marker: timestamp
    {10, 3, 0x402680},   // instr
    {0, 8, 0x7f8881e37c70},
    {1, 4, 0x7f8881e37a70},
    {17, 3, bundle({2, 5, 1})},  // three more instructions after 0x402680+3
    {47, 8, 0xdeadbeef},         // encoding bytes: ignored
    {48, 6, 0x404a78},           // taken jump
};
const std::vector<Entry> kChunk1 = {
    {28, 2, 123456790},
    {3, 64, 0x601000},  // prefetcht0
    {26, 0, 0},         // footer
};

std::vector<Event> expected() {
  return {
      Event::access(EventKind::kIFetch, 0x402680, 3),      Event::access(EventKind::kLoad, 0x7f8881e37c70, 8),
      Event::access(EventKind::kStore, 0x7f8881e37a70, 4), Event::access(EventKind::kIFetch, 0x402683, 2),
      Event::access(EventKind::kIFetch, 0x402685, 5),      Event::access(EventKind::kIFetch, 0x40268a, 1),
      Event::access(EventKind::kIFetch, 0x404a78, 6),      Event::access(EventKind::kLoad, 0x601000, 64)};
}

TEST(TraceDrmemtrace, ReadsChunksInOrder) {
  auto d = temp_dir();
  // Added out of order on purpose: members are read in name order.
  make_zip(d / "t.zip", {{"chunk.0001", entries(kChunk1)}, {"chunk.0000", entries(kChunk0)}});
  auto r = DrmemtraceReader::open((d / "t.zip").string());
  EXPECT_EQ(read_all(*r), expected());
}

TEST(TraceDrmemtrace, DirectoryOfThreadsAndSecondPid) {
  auto d = temp_dir();
  make_zip(d / "drmemtrace.app.1.1.trace.zip",
           {{"chunk.0000", entries(kChunk0)}, {"chunk.0001", entries(kChunk1)}});
  make_zip(d / "drmemtrace.app.2.2.trace.zip",
           {{"chunk.0000", entries({{25, 0, 5}, {24, 4, 42}, {0, 2, 0x99}, {26, 0, 0}})}});
  auto r = DrmemtraceReader::open(d.string());
  auto want = expected();
  want.push_back(Event::access(EventKind::kLoad, 0x99, 2, 1));
  EXPECT_EQ(read_all(*r), want);
}

TEST(TraceDrmemtrace, RoundTripFromMemory) {
  std::vector<Entry> v = {{25, 0, 5}, {24, 4, 1}};
  std::vector<Event> want;
  for (uint64_t i = 0; i < 10000; ++i) {
    v.push_back({10, static_cast<uint16_t>(1 + i % 15), 0x400000 + 3 * i});
    want.push_back(Event::access(EventKind::kIFetch, 0x400000 + 3 * i, static_cast<uint8_t>(1 + i % 15)));
    v.push_back({static_cast<uint16_t>(i % 2), 8, 0x7000000 + 8 * i});
    want.push_back(Event::access(i % 2 ? EventKind::kStore : EventKind::kLoad, 0x7000000 + 8 * i, 8));
  }
  auto d = temp_dir();
  make_zip(d / "t.zip", {{"chunk.0000", entries(v)}});
  std::ifstream f(d / "t.zip", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), {});
  auto r = DrmemtraceReader::from_memory(bytes, "mem.zip");
  EXPECT_EQ(read_all(*r), want);
}

std::string error_of(const fs::path& p) {
  try {
    auto r = DrmemtraceReader::open(p.string());
    read_all(*r);
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TraceDrmemtrace, BadInputNamesArchiveMemberAndOffset) {
  auto d = temp_dir();
  std::string c0 = entries(kChunk0);
  make_zip(d / "trunc.zip", {{"chunk.0000", c0.substr(0, c0.size() - 5)}});
  EXPECT_EQ(error_of(d / "trunc.zip"), (d / "trunc.zip").string() + "[chunk.0000]: at byte offset " +
                                           std::to_string(c0.size() / 12 * 12 - 12) +
                                           ": truncated trace entry (entries are 12 bytes)");
  make_zip(d / "type.zip", {{"chunk.0000", entries({{25, 0, 5}, {10, 3, 0x1000}, {200, 0, 0}})}});
  EXPECT_EQ(error_of(d / "type.zip"),
            (d / "type.zip").string() + "[chunk.0000]: at byte offset 24: unknown trace entry type 200");
  make_zip(d / "ver.zip", {{"chunk.0000", entries({{25, 0, 99}})}});
  EXPECT_EQ(error_of(d / "ver.zip"),
            (d / "ver.zip").string() +
                "[chunk.0000]: at byte offset 0: unsupported drmemtrace version 99 (expected 1..6)");
  make_zip(d / "nohdr.zip", {{"chunk.0000", entries({{10, 3, 0x1000}})}});
  EXPECT_NE(error_of(d / "nohdr.zip").find("expected the trace header record"), std::string::npos);
  std::ofstream(d / "notzip.zip") << "I  0400,3\n";
  EXPECT_EQ(error_of(d / "notzip.zip").substr(0, (d / "notzip.zip").string().size() + 40),
            (d / "notzip.zip").string() + ": at byte offset 0: not a readable drmem");
  // Member names come from the file and are escaped when quoted (libzip reads this name as CP437,
  // where ESC is U+2190, and hands it over as UTF-8).
  make_zip(d / "name.zip", {{"chunk\x1b[2J.0000", entries({{25, 0, 5}, {200, 0, 0}})}});
  EXPECT_EQ(error_of(d / "name.zip"),
            (d / "name.zip").string() +
                "[chunk\\xe2\\x86\\x90[2J.0000]: at byte offset 12: unknown trace entry type 200");
}

}  // namespace
}  // namespace hvsim
