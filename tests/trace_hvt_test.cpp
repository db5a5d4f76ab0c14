#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "common/error.h"
#include "test_support.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/hvt_format.h"
#include "workload/trace/hvt_reader.h"
#include "workload/trace/hvt_writer.h"

namespace hvsim {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path d = fs::temp_directory_path() / ("hvsim_" + std::string(info->test_suite_name()) + "_" +
                                            info->name() + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<Event> read_all(EventSource& s, size_t batch = 4096) {
  std::vector<Event> out, buf(batch);
  while (size_t n = s.next_batch(buf))
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}
void spit(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

// A mix of everything the encoding distinguishes: the three access kinds with varying sizes,
// addresses far apart and equal, pid switches, accesses with flags, and OS events.
std::vector<Event> sample_events(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Event> v;
  uint64_t base[3] = {0x7f0000001000, 0x555555554000, 0x400000};
  for (size_t i = 0; i < n; ++i) {
    uint64_t r = rng();
    Event e;
    switch (r % 16) {
      case 0:
        e = Event{0, ~0ull, 7, EventKind::kMmap, 0, 0};
        e.addr = r & ~0xfffull;
        e.arg = 4096 * (r % 9 + 1);
        break;
      case 1:
        e = Event::access(EventKind::kLoad, ~0ull - (r % 5), 8, static_cast<uint32_t>(r >> 60));
        break;
      case 2:
        e = Event::access(EventKind::kStore, r, static_cast<uint8_t>(r >> 56), 3);
        e.flags = 0x8001;
        break;
      case 3:
        e.kind = EventKind::kProcessCreate;
        e.pid = 1;
        e.arg = 2;
        break;
      default: {
        int k = static_cast<int>(r % 3);
        base[k] += (r >> 8) % 4096 - 2048;
        e = Event::access(static_cast<EventKind>(k), base[k], static_cast<uint8_t>(1u << ((r >> 20) % 4)),
                          (r >> 30) % 64 == 0 ? 5 : 0);
      }
    }
    v.push_back(e);
  }
  v.push_back(Event::access(EventKind::kIFetch, 0, 0));
  return v;
}

TEST(TraceHvt, RoundTripIdenticalAcrossChunksAndBatchSizes) {
  auto dir = temp_dir();
  auto events = sample_events(50'000, 42);
  HvtWriter::Options o;
  o.chunk_records = 4'999;  // several chunks, the last one partial
  {
    HvtWriter w((dir / "t.hvt").string(), {{"source", "test"}, {"command", "x y"}}, o);
    w.write(std::span<const Event>(events).subspan(0, 123));
    w.write(std::span<const Event>(events).subspan(123));
    w.finish({{"duration_s", 1.5}});
    EXPECT_EQ(w.records(), events.size());
  }
  EXPECT_FALSE(fs::exists(dir / "t.hvt.tmp"));
  for (size_t batch : {1u, 7u, 4096u, 100000u}) {
    auto r = HvtReader::open((dir / "t.hvt").string());
    EXPECT_EQ(r->metadata()["source"], "test");
    EXPECT_EQ(r->metadata()["command"], "x y");
    auto back = read_all(*r, batch);
    ASSERT_EQ(back.size(), events.size()) << "batch " << batch;
    for (size_t i = 0; i < events.size(); ++i)
      ASSERT_EQ(back[i], events[i]) << "record " << i << " batch " << batch;
    EXPECT_EQ(r->chunks(), 11u);
    EXPECT_EQ(r->trailer()["duration_s"], 1.5);
  }
}

TEST(TraceHvt, EmptyTraceRoundTrips) {
  auto w = HvtWriter::to_memory({{"source", "empty"}}, {});
  w.finish();
  std::string bytes(w.memory().begin(), w.memory().end());
  HvtReader r(ByteInput::from_memory(bytes, "empty.hvt", false));
  EXPECT_TRUE(read_all(r).empty());
}

TEST(TraceHvt, SequentialAccessesCostUnderOneBytePerRecord) {
  std::vector<Event> ev;
  for (uint64_t i = 0; i < 200'000; ++i) ev.push_back(Event::access(EventKind::kLoad, 0x10000000 + 8 * i, 8));
  auto w = HvtWriter::to_memory({}, {});
  w.write(ev);
  w.finish();
  EXPECT_LT(static_cast<double>(w.memory().size()) / ev.size(), 0.1);
}

class TraceHvtCorruption : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir();
    events_ = sample_events(3'000, 7);
    HvtWriter::Options o;
    o.chunk_records = 1'000;
    HvtWriter w((dir_ / "good.hvt").string(), {{"source", "t"}}, o);
    w.write(events_);
    w.finish();
    bytes_ = slurp(dir_ / "good.hvt");
    header_ = 16 + std::string(R"({"source":"t"})").size() + 4;
  }
  std::string error_for(const std::string& bytes) {
    auto p = dir_ / "bad.hvt";
    spit(p, bytes);
    try {
      auto r = HvtReader::open(p.string());
      read_all(*r);
    } catch (const FileFormatError& e) {
      return e.what();
    }
    return "no error";
  }
  uint32_t u32(size_t off) const {
    uint32_t v;
    std::memcpy(&v, bytes_.data() + off, 4);
    return v;
  }
  fs::path dir_;
  std::vector<Event> events_;
  std::string bytes_;
  size_t header_ = 0;
};

TEST_F(TraceHvtCorruption, FlippedPayloadByteNamesTheChunkOffset) {
  size_t chunk2 = header_ + 24 + u32(header_ + 12);
  std::string b = bytes_;
  b[chunk2 + 24 + 5] ^= 0x40;
  std::string want = (dir_ / "bad.hvt").string() + ": at byte offset " + std::to_string(chunk2) +
                     ": corrupt chunk: data checksum mismatch";
  EXPECT_EQ(error_for(b), want);
}

TEST_F(TraceHvtCorruption, FlippedChunkHeaderByte) {
  std::string b = bytes_;
  b[header_ + 5] ^= 1;  // record count of the first chunk
  EXPECT_EQ(error_for(b), (dir_ / "bad.hvt").string() + ": at byte offset " + std::to_string(header_) +
                              ": corrupt chunk: header checksum mismatch");
}

TEST_F(TraceHvtCorruption, TruncationAnywhereIsReported) {
  for (size_t cut :
       {size_t{3}, size_t{17}, header_ + 10, header_ + 30, bytes_.size() - 30, bytes_.size() - 1}) {
    std::string e = error_for(bytes_.substr(0, cut));
    EXPECT_NE(e, "no error") << cut;
    EXPECT_NE(e.find("bad.hvt: at byte offset "), std::string::npos) << e;
  }
  // Cut exactly at a chunk boundary: the missing end record gives it away.
  size_t chunk2 = header_ + 24 + u32(header_ + 12);
  EXPECT_EQ(error_for(bytes_.substr(0, chunk2)),
            (dir_ / "bad.hvt").string() + ": at byte offset " + std::to_string(chunk2) +
                ": truncated: missing end record (the trace was not finished)");
}

TEST_F(TraceHvtCorruption, TrailingGarbageAndWrongFormat) {
  EXPECT_NE(error_for(bytes_ + "x").find("unexpected data after the end record"), std::string::npos);
  EXPECT_EQ(
      error_for("I  0400d7d4,3\n"),
      (dir_ / "bad.hvt").string() + ": at byte offset 0: not an .hvt trace (expected magic \"HVSIMTRC\")");
  std::string v2 = bytes_;
  v2[8] = 2;
  EXPECT_NE(error_for(v2).find("unsupported .hvt version 2"), std::string::npos);
}

TEST(TraceHvt, DecoderRejectsBadControlBytes) {
  std::vector<uint8_t> payload;
  std::vector<Event> ev = {Event::access(EventKind::kLoad, 0x1000, 8),
                           Event::access(EventKind::kStore, 0x2000, 4)};
  hvt::encode_chunk(ev, payload);
  payload.resize(payload.size() + hvt::kPadding);
  hvt::ChunkDecoder d;
  std::string err;
  ASSERT_TRUE(d.start(payload.data(), payload.size() - hvt::kPadding, 2, err)) << err;
  std::vector<Event> out(2);
  ASSERT_EQ(d.decode(out, err), 2u);
  EXPECT_EQ(out, ev);
  auto bad = payload;
  bad[3] = 0x80 | 0x04;  // first control byte (after 3 one-byte prefix varints) with reserved bit
  EXPECT_FALSE(d.start(bad.data(), bad.size() - hvt::kPadding, 2, err));
  EXPECT_EQ(err, "invalid control byte in record 0");
  bad = payload;
  bad[4] = 0x07;  // second record: escape class with bits set
  EXPECT_FALSE(d.start(bad.data(), bad.size() - hvt::kPadding, 2, err));
  EXPECT_EQ(err, "reserved control byte in record 1");
  bad[4] = 9 << 2;  // a 9-byte address delta
  EXPECT_FALSE(d.start(bad.data(), bad.size() - hvt::kPadding, 2, err));
  EXPECT_EQ(err, "invalid control byte in record 1");
  bad[4] = payload[4] ^ 0x40;  // an explicit size the size column does not hold
  EXPECT_FALSE(d.start(bad.data(), bad.size() - hvt::kPadding, 2, err));
  EXPECT_EQ(err, "control bytes disagree with the column sizes");
  EXPECT_FALSE(d.start(payload.data(), payload.size() - hvt::kPadding, 3, err));
}

// Names of the files in `dir`, sorted.
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> v;
  for (auto& f : fs::directory_iterator(dir)) v.push_back(f.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

bool is_temp_of(const std::string& name, const std::string& target) {
  return name.size() == target.size() + 11 && name.starts_with(target + ".tmp.");
}

TEST(TraceHvt, AbandonedWriterLeavesNoFile) {
  auto dir = temp_dir();
  {
    HvtWriter w((dir / "x.hvt").string(), {});
    w.write(sample_events(10, 1));
    auto files = listing(dir);
    ASSERT_EQ(files.size(), 1u);
    EXPECT_TRUE(is_temp_of(files[0], "x.hvt")) << files[0];
  }
  EXPECT_TRUE(listing(dir).empty());
}

// Two writers of one path each write their own temporary file: the one finishing last owns the
// complete result, and neither fails or leaves anything behind.
TEST(TraceHvt, WritersOfOnePathDoNotShareATemporaryFile) {
  auto dir = temp_dir();
  const std::string path = (dir / "x.hvt").string();
  auto a = sample_events(1000, 1), b = sample_events(3000, 2);
  HvtWriter wa(path, {{"writer", "a"}}), wb(path, {{"writer", "b"}});
  wa.write(a);
  wb.write(b);
  auto files = listing(dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_NE(files[0], files[1]);
  wb.finish();
  EXPECT_EQ(read_all(*HvtReader::open(path)), b);
  wa.finish();
  auto r = HvtReader::open(path);
  EXPECT_EQ(r->metadata()["writer"], "a");
  EXPECT_EQ(read_all(*r), a);
  EXPECT_EQ(listing(dir), std::vector<std::string>{"x.hvt"});
}

TEST(TraceHvt, WriterRejectsBadOptionsBeforeCreatingAnything) {
  auto dir = temp_dir();
  auto error_of = [&](HvtWriter::Options o) -> std::string {
    try {
      HvtWriter w((dir / "x.hvt").string(), {}, o);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error_of({64, 100}), "hvt: zstd level 100 is out of range; expected 1..22");
  EXPECT_EQ(error_of({64, 0}), "hvt: zstd level 0 is out of range; expected 1..22");
  EXPECT_EQ(error_of({0, 3}), "hvt: chunk size must be 1..1048576 records");
  EXPECT_EQ(error_of({64, 22}), "no error");
  EXPECT_TRUE(listing(dir).empty());
  // Metadata too large is found after the file is created: it is removed again.
  try {
    HvtWriter w((dir / "x.hvt").string(), {{"big", std::string(2 << 20, 'x')}});
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "hvt: metadata larger than 1 MiB");
  }
  EXPECT_TRUE(listing(dir).empty());
}

template <class T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// A chunkless .hvt with the given metadata and trailer text, checksums valid.
std::string hvt_with_json(const std::string& meta, const std::string& trailer) {
  std::string h(hvt::kMagic, 8);
  put<uint16_t>(h, hvt::kMajor);
  put<uint16_t>(h, hvt::kMinor);
  put<uint32_t>(h, static_cast<uint32_t>(meta.size()));
  h += meta;
  put<uint32_t>(h, hvt_crc(h.data(), h.size()));
  std::string e;
  put<uint32_t>(e, hvt::kEndMagic);
  put<uint32_t>(e, static_cast<uint32_t>(trailer.size()));
  put<uint64_t>(e, 0);
  e += trailer;
  put<uint32_t>(e, hvt_crc(e.data(), e.size()));
  return h + e;
}

// {"a":[[...]]} nesting `depth` levels in all.
std::string nested(size_t depth) {
  return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

std::string open_error(const std::string& bytes) {
  try {
    HvtReader r(ByteInput::from_memory(bytes, "f.hvt", false));
    read_all(r);
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "no error";
}

// Copying, printing or freeing parsed JSON recurses per level: 100,000 levels crashed `trace
// info` and `trace convert`. The reader stops at the 65th level and names its offset.
TEST(TraceHvt, DeeplyNestedMetadataIsRejected) {
  EXPECT_EQ(open_error(hvt_with_json(nested(64), "{}")), "no error");
  EXPECT_EQ(open_error(hvt_with_json(nested(65), "{}")),
            "f.hvt: at byte offset 84: header metadata nests deeper than 64 levels");
  EXPECT_EQ(open_error(hvt_with_json(nested(100000), "{}")),
            "f.hvt: at byte offset 84: header metadata nests deeper than 64 levels");
  // Brackets inside strings do not nest.
  EXPECT_EQ(open_error(hvt_with_json("{\"a\":\"" + std::string(1000, '[') + "\\\"\"}", "{}")), "no error");
  // The trailer: the end record starts at 16 + 2 + 4 = 22, its JSON at 38.
  EXPECT_EQ(open_error(hvt_with_json("{}", nested(100000))),
            "f.hvt: at byte offset 106: end record trailer nests deeper than 64 levels");

  auto dir = temp_dir();
  spit(dir / "meta.hvt", hvt_with_json(nested(100000), "{}"));
  spit(dir / "trailer.hvt", hvt_with_json("{}", nested(100000)));
  for (const char* name : {"meta.hvt", "trailer.hvt"}) {
    auto info = test::run_hvsim("trace info " + (dir / name).string());
    EXPECT_EQ(info.status, 2) << info.err;
    EXPECT_NE(info.err.find("nests deeper than 64 levels"), std::string::npos) << info.err;
    auto conv = test::run_hvsim("trace convert " + (dir / name).string() + " " + (dir / "out.hvt").string());
    EXPECT_EQ(conv.status, 2) << conv.err;
    EXPECT_NE(conv.err.find("nests deeper than 64 levels"), std::string::npos) << conv.err;
  }
  // Nothing but the two inputs: no output, no temporary file.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
}

}  // namespace
}  // namespace hvsim
