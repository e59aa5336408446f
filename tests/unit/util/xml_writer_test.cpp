#include "util/xml_writer.hpp"

#include <gtest/gtest.h>

namespace util {
namespace {

TEST(XmlTextTest, EscapesMarkup) {
  EXPECT_EQ(xml_text("a < b && c > \"d\""), "a &lt; b &amp;&amp; c &gt; &quot;d&quot;");
  EXPECT_EQ(xml_text("]]>"), "]]&gt;");
}

TEST(XmlTextTest, ReplacesForbiddenControlCharacters) {
  EXPECT_EQ(xml_text(std::string("bell\x07 nul\0!", 11)), "bell\\x07 nul\\x00!");
  EXPECT_EQ(xml_text("tab\tnewline\n"), "tab\tnewline\n");
}

TEST(XmlTextTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(xml_text("ok \xff end"), "ok \xEF\xBF\xBD end");
  EXPECT_EQ(xml_text("\xc3\x28"), "\xEF\xBF\xBD(");                                     // truncated sequence
  EXPECT_EQ(xml_text("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");          // a surrogate
  EXPECT_EQ(xml_text("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");                          // overlong
  EXPECT_EQ(xml_text("caf\xc3\xa9 \xf0\x9f\x8e\xb2"), "caf\xc3\xa9 \xf0\x9f\x8e\xb2");  // valid stays
}

TEST(XmlWriterTest, ScopesCloseElements) {
  XmlWriter xml;
  {
    auto root = xml.element("root", {{"name", "a&b"}});
    xml.leaf("empty", {{"k", "v"}});
    xml.leaf("text", {}, "x<y");
  }
  EXPECT_EQ(xml.str(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root name=\"a&amp;b\">\n  <empty k=\"v\"/>\n"
            "  <text>x&lt;y</text>\n</root>\n");
}

}  // namespace
}  // namespace util
