// Reading a source ahead on a thread of its own (workload/read_ahead_source.h): the same events in
// the same order whatever the batch sizes, the inner source's error after exactly the events
// before it, and a consumer that stops early is not held up.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>

#include "common/error.h"
#include "vector_source.h"
#include "workload/read_ahead_source.h"

namespace hvsim {
namespace {

std::vector<Event> numbered(size_t n) {
  std::vector<Event> v;
  for (size_t i = 0; i < n; ++i) v.push_back(Event::access(EventKind::kLoad, 4096 * i, 8, 1));
  return v;
}

// Hands out at most `step` events a call (sources return less than asked), and after `fail_after`
// events throws an InputError naming the offset.
class UnevenSource final : public EventSource {
 public:
  UnevenSource(size_t events, size_t step, size_t fail_after = SIZE_MAX)
      : inner_(numbered(events)), step_(step), fail_after_(fail_after) {}
  size_t next_batch(std::span<Event> out) override {
    if (given_ >= fail_after_) throw InputError("uneven: corrupt record at offset " + std::to_string(given_));
    const size_t n = inner_.next_batch(out.first(std::min({out.size(), step_, fail_after_ - given_})));
    given_ += n;
    return n;
  }
  std::string describe() const override { return "uneven"; }

 private:
  test::VectorSource inner_;
  size_t step_, fail_after_, given_ = 0;
};

// Every event of `src`, asked for `ask` at a time.
std::vector<uint64_t> drain(EventSource& src, size_t ask) {
  std::vector<Event> buf(ask);
  std::vector<uint64_t> addrs;
  while (size_t n = src.next_batch(buf))
    for (size_t i = 0; i < n; ++i) addrs.push_back(buf[i].addr);
  return addrs;
}

}  // namespace

TEST(ReadAheadSource, DeliversTheInnerEventsInOrderWhateverTheBatchSizes) {
  std::vector<uint64_t> want;
  for (const Event& e : numbered(1000)) want.push_back(e.addr);
  for (size_t chunk : {1, 7, 64, 5000})
    for (size_t ask : {1, 3, 100, 4096}) {
      ReadAheadSource src(std::make_unique<UnevenSource>(1000, 13), chunk);
      EXPECT_EQ(drain(src, ask), want) << "chunk " << chunk << ", ask " << ask;
      std::vector<Event> buf(8);
      EXPECT_EQ(src.next_batch(buf), 0u) << "the end stays the end";
    }
  ReadAheadSource empty(std::make_unique<UnevenSource>(0, 13));
  EXPECT_EQ(drain(empty, 10).size(), 0u);
  EXPECT_EQ(empty.describe(), "uneven");
}

TEST(ReadAheadSource, RaisesTheInnerErrorAfterTheEventsBeforeIt) {
  ReadAheadSource src(std::make_unique<UnevenSource>(1000, 13, 250), 64);
  std::vector<Event> buf(100);
  size_t got = 0;
  try {
    for (size_t n; (n = src.next_batch(buf)) > 0;) {
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(buf[i].addr, 4096 * (got + i));
      got += n;
    }
    FAIL() << "no error after " << got << " events";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "uneven: corrupt record at offset 250");
  }
  EXPECT_EQ(got, 250u);
  EXPECT_THROW(src.next_batch(buf), InputError) << "asked again, the error stays";
}

// A source that never ends: the consumer takes a few events and goes; destroying the reader must
// stop its thread, which is then waiting for a free chunk.
TEST(ReadAheadSource, AConsumerThatStopsEarlyIsNotHeldUp) {
  class Endless final : public EventSource {
   public:
    explicit Endless(std::atomic<uint64_t>& calls) : calls_(calls) {}
    size_t next_batch(std::span<Event> out) override {
      ++calls_;
      for (Event& e : out) e = Event::access(EventKind::kStore, 64, 8, 1);
      return out.size();
    }
    std::string describe() const override { return "endless"; }

   private:
    std::atomic<uint64_t>& calls_;
  };
  std::atomic<uint64_t> calls{0};
  {
    ReadAheadSource src(std::make_unique<Endless>(calls), 16);
    std::vector<Event> buf(40);
    EXPECT_EQ(src.next_batch(buf), 40u);
    EXPECT_EQ(src.describe(), "endless");
  }
  // 40 events are three chunks of 16; the reader fills at most two ahead of the one being read.
  EXPECT_LE(calls.load(), 5u);
  EXPECT_GE(calls.load(), 3u);
}

}  // namespace hvsim
