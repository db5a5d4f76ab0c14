// Input bytes quoted in reader errors are escaped, so garbage input cannot reach the terminal raw.
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/printable.h"
#include "workload/trace/byte_input.h"
#include "workload/trace/lackey_reader.h"
#include "workload/trace/pinatrace_reader.h"

namespace hvsim {
namespace {

TEST(TracePrintable, EscapesControlAndNonAsciiBytesAndCuts) {
  EXPECT_EQ(printable("plain text 0x10,8"), "plain text 0x10,8");
  EXPECT_EQ(printable(std::string_view("a\x01\x1b[31m\x7f\xff\0b", 11)), "a\\x01\\x1b[31m\\x7f\\xff\\x00b");
  EXPECT_EQ(printable("back\\slash\ttab"), "back\\\\slash\\x09tab");
  EXPECT_EQ(printable("abcdef", 4), "abcd...");
  EXPECT_EQ(printable("abcd", 4), "abcd");
  EXPECT_EQ(printable(""), "");
}

template <class Reader>
std::string error_of(const std::string& text, const char* name) {
  try {
    Reader r(ByteInput::from_memory(text, name));
    std::vector<Event> buf(64);
    while (r.next_batch(buf) != 0) {
    }
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TracePrintable, ReaderErrorsQuoteEscapedBytes) {
  EXPECT_EQ(error_of<LackeyReader>(" L 10,8\n\x01\x02zz\x1b[31m\n", "t.lackey"),
            "t.lackey:2: expected a lackey record like ' L 04e9a0c8,8' or 'I  0400d7d4,3', found "
            "'\\x01\\x02zz\\x1b[31m'");
  EXPECT_EQ(error_of<PinatraceReader>("0x10: R \x07\x08\n", "p.out"),
            "p.out:1: expected a pinatrace record like '0x401234: R 0x7ffd1230 [size [value]]', found "
            "'0x10: R \\x07\\x08'");
  // A long garbage line is cut, and the cut is marked.
  EXPECT_EQ(error_of<LackeyReader>(std::string(100, 'q') + "\n", "t.lackey"),
            "t.lackey:1: expected a lackey record like ' L 04e9a0c8,8' or 'I  0400d7d4,3', found '" +
                std::string(60, 'q') + "...'");
}

}  // namespace
}  // namespace hvsim
