#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "common/error.h"
#include "compress_support.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/champsim_reader.h"

namespace hvsim {
namespace {

using Variant = ChampSimReader::Variant;
using test::xz;

struct Instr {
  uint64_t ip;
  uint8_t br, taken;
  std::vector<uint64_t> dst, src;
  uint16_t asid = 0;
};

std::string encode(const std::vector<Instr>& v, Variant var) {
  std::string out;
  for (auto& in : v) {
    std::string r(ChampSimReader::record_size(var), '\0');
    std::memcpy(r.data(), &in.ip, 8);
    r[8] = static_cast<char>(in.br);
    r[9] = static_cast<char>(in.taken);
    r[10] = 7;  // register bytes are ignored
    size_t dst = var == Variant::kStandard ? 16 : 24, src = var == Variant::kStandard ? 32 : 56;
    for (size_t i = 0; i < in.dst.size(); ++i) std::memcpy(r.data() + dst + 8 * i, &in.dst[i], 8);
    for (size_t i = 0; i < in.src.size(); ++i) std::memcpy(r.data() + src + 8 * i, &in.src[i], 8);
    if (var == Variant::kCloudSuite) std::memcpy(r.data() + 88, &in.asid, 2);
    out += r;
  }
  return out;
}

std::vector<Event> parse(const std::string& bytes, Variant var, ChampSimReader::Options o = {}) {
  ChampSimReader r(ByteInput::from_memory(bytes, "t.champsim"), var, o);
  std::vector<Event> out, buf(5);
  while (size_t n = r.next_batch(buf))
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
  return out;
}

TEST(TraceChampSim, StandardRecordsExpandToFetchLoadsStores) {
  std::vector<Instr> v = {{0x401000, 0, 0, {}, {0x7ffd0010, 0, 0x7ffd0020}},
                          {0x401004, 1, 1, {0x601000, 0x601008}, {}},
                          {0x401008, 1, 0, {}, {}}};
  std::vector<Event> want = {
      Event::access(EventKind::kIFetch, 0x401000, 4), Event::access(EventKind::kLoad, 0x7ffd0010, 8),
      Event::access(EventKind::kLoad, 0x7ffd0020, 8), Event::access(EventKind::kIFetch, 0x401004, 4),
      Event::access(EventKind::kStore, 0x601000, 8),  Event::access(EventKind::kStore, 0x601008, 8),
      Event::access(EventKind::kIFetch, 0x401008, 4)};
  std::string raw = encode(v, Variant::kStandard);
  ASSERT_EQ(raw.size(), 3u * 64);
  EXPECT_EQ(parse(raw, Variant::kStandard), want);
  EXPECT_EQ(parse(xz(raw), Variant::kStandard), want);
  ChampSimReader::Options o;
  o.ifetch = false;
  EXPECT_EQ(parse(raw, Variant::kStandard, o).size(), 4u);
}

TEST(TraceChampSim, CloudSuiteAsidBecomesPid) {
  std::vector<Instr> v = {{0x10000, 0, 0, {0, 0, 0, 0x2000}, {0x3000, 0, 0, 0x3008}, 0x0102},
                          {0x10004, 0, 0, {}, {}, 7}};
  std::vector<Event> want = {
      Event::access(EventKind::kIFetch, 0x10000, 4, 0x0102),
      Event::access(EventKind::kLoad, 0x3000, 8, 0x0102), Event::access(EventKind::kLoad, 0x3008, 8, 0x0102),
      Event::access(EventKind::kStore, 0x2000, 8, 0x0102), Event::access(EventKind::kIFetch, 0x10004, 4, 7)};
  std::string raw = encode(v, Variant::kCloudSuite);
  ASSERT_EQ(raw.size(), 2u * 96);
  EXPECT_EQ(parse(raw, Variant::kCloudSuite), want);
}

TEST(TraceChampSim, WriterRoundTrip) {
  std::vector<Event> ev;
  for (uint64_t i = 0; i < 5000; ++i) {
    ev.push_back(Event::access(EventKind::kIFetch, 0x400000 + 4 * i, 4));
    for (uint64_t k = 0; k < i % 4; ++k)
      ev.push_back(Event::access(EventKind::kLoad, 0x10000000 + 64 * (i + k), 8));
    if (i % 3 == 0) ev.push_back(Event::access(EventKind::kStore, 0x20000000 + 8 * i, 8));
  }
  std::vector<uint8_t> bytes;
  ChampSimWriter w(bytes);
  w.write(ev);
  w.finish();
  EXPECT_EQ(bytes.size(), 5000u * 64);
  EXPECT_EQ(parse(std::string(bytes.begin(), bytes.end()), Variant::kStandard), ev);
}

std::string error_of(const std::string& bytes, Variant var) {
  try {
    parse(bytes, var);
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TraceChampSim, TruncatedAndWrongInputRejected) {
  std::string raw = encode({{0x401000, 0, 0, {}, {0x10}}, {0x401004, 0, 0, {}, {}}}, Variant::kStandard);
  EXPECT_EQ(error_of(raw.substr(0, 100), Variant::kStandard),
            "t.champsim: at byte offset 64: truncated record: expected 64-byte records, 36 bytes left over");
  raw[64 + 9] = 1;  // taken but not a branch
  EXPECT_EQ(error_of(raw, Variant::kStandard),
            "t.champsim: at byte offset 72: invalid branch flags in record 1 (expected "
            "is_branch/branch_taken of 0 or "
            "1); not a ChampSim trace?");
  EXPECT_NE(
      error_of(std::string(96, 'x'), Variant::kCloudSuite).find("at byte offset 8: invalid branch flags"),
      std::string::npos);
}

}  // namespace
}  // namespace hvsim
