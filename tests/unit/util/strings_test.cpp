#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace util {
namespace {

TEST(StringsTest, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(StringsTest, ClosestMatch) {
  std::vector<std::string_view> keys = {"seeds", "modes", "devices", "repeats"};
  EXPECT_EQ(closest_match("seds", keys), "seeds");
  EXPECT_EQ(closest_match("repeat", keys), "repeats");
  EXPECT_EQ(closest_match("zzzzzzzz", keys), std::nullopt);
}

TEST(StringsTest, FormatNumberRoundTrips) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(0.9000001), "0.9000001");
  EXPECT_EQ(format_number(NAN), "nan");
  EXPECT_EQ(format_number(-INFINITY), "-inf");
}

TEST(StringsTest, TailCutsAtLineStart) {
  EXPECT_EQ(tail("short", 10), "short");
  EXPECT_EQ(tail("aaaa\nbbbbbbbbbbbbbbbbbbbb", 22), "bbbbbbbbbbbbbbbbbbbb");
}

TEST(StringsTest, PrintableNeutralisesTerminalControl) {
  EXPECT_EQ(printable("red \x1b[31m bell\x07 tab\tline\n"), "red \\x1b[31m bell\\x07 tab\tline\n");
  EXPECT_EQ(printable("bad \xff caf\xc3\xa9"), "bad \xEF\xBF\xBD caf\xc3\xa9");
  EXPECT_EQ(printable("c1 \xc2\x9b"), "c1 \\x9b");  // CSI as a C1 control
}

}  // namespace
}  // namespace util

namespace util {
namespace {

TEST(JsonDepthTest, CountsBracketsOutsideStrings) {
  EXPECT_EQ(json_depth("1"), 0u);
  EXPECT_EQ(json_depth(R"({"a": [1, {"b": []}]})"), 4u);
  // Brackets in strings, and escaped quotes in them, do not count.
  EXPECT_EQ(json_depth(R"({"a": "[[[{{{", "b": "\"[[[["})"), 1u);
  EXPECT_EQ(json_depth(std::string(100000, '[') + std::string(100000, ']')), 100000u);
}

}  // namespace
}  // namespace util
