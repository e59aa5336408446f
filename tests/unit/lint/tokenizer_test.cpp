#include "lint/tokenizer.hpp"

#include <gtest/gtest.h>

namespace lint {
namespace {

std::vector<std::string> texts(const Tokens& t) {
  std::vector<std::string> out;
  for (const Token& tok : t.tokens) out.push_back(tok.kind == TokenKind::newline ? "<nl>" : std::string(tok.text));
  return out;
}

TEST(CppTokenizer, CommentsAreNotTokens) {
  Tokens t = tokenize("a // rand()\nb /* srand(\n1) */ c", Language::cpp);
  EXPECT_EQ(texts(t), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t.comments.size(), 2u);
  EXPECT_EQ(t.comments[0].text, "// rand()");
  EXPECT_FALSE(t.comments[0].own_line);
  EXPECT_EQ(t.tokens[2].line, 3u);
  EXPECT_EQ(t.tokens[2].column, 7u);
}

TEST(CppTokenizer, StringsRawStringsAndCharacters) {
  Tokens t = tokenize(R"x(f("a \" rand()", u8"x", L'\'', R"d(rand() )" ")d", 'c');)x", Language::cpp);
  EXPECT_EQ(texts(t), (std::vector<std::string>{"f", "(", R"x("a \" rand()")x", ",", R"x(u8"x")x", ",", R"x(L'\'')x",
                                                ",", R"x(R"d(rand() )" ")d")x", ",", "'c'", ")", ";"}));
  EXPECT_EQ(t.tokens[2].kind, TokenKind::string);
  EXPECT_EQ(string_body(t.tokens[8].text), R"x(rand() )" ")x");
}

TEST(CppTokenizer, DigitSeparatorsContinuationsAndIncludes) {
  Tokens t =
      tokenize("#include <torch/torch.h>\n  #  include \"a/b.hpp\" // x\nint n = 1'000'000;\\\nm", Language::cpp);
  EXPECT_EQ(texts(t), (std::vector<std::string>{"int", "n", "=", "1'000'000", ";", "m"}));
  ASSERT_EQ(t.includes.size(), 2u);
  EXPECT_EQ(t.includes[0].path, "torch/torch.h");
  EXPECT_TRUE(t.includes[0].angled);
  EXPECT_EQ(t.includes[1].path, "a/b.hpp");
  EXPECT_EQ(t.includes[1].line, 2u);
  EXPECT_EQ(t.tokens.back().line, 4u);  // after the continuation
}

TEST(CppTokenizer, OperatorsAndUnterminatedInput) {
  EXPECT_EQ(texts(tokenize("a::b->c <<= d", Language::cpp)),
            (std::vector<std::string>{"a", "::", "b", "->", "c", "<<=", "d"}));
  Tokens t = tokenize("x = \"never closed\n y /* open", Language::cpp);
  EXPECT_EQ(texts(t), (std::vector<std::string>{"x", "=", "\"never closed", "y"}));
  EXPECT_EQ(t.comments.size(), 1u);
}

TEST(PythonTokenizer, StringsOfEveryKind) {
  Tokens t = tokenize("a = '''x\nrand()''' + rb'\\'' + f\"{d['k']} {x!r}\" + \"\"\"\n\"\"\"\nb", Language::python);
  EXPECT_EQ(texts(t), (std::vector<std::string>{"a", "=", "'''x\nrand()'''", "+", "rb'\\''", "+", "f\"{d['k']} {x!r}\"",
                                                "+", "\"\"\"\n\"\"\"", "<nl>", "b", "<nl>"}));
  EXPECT_EQ(t.tokens[10].line, 4u);
  EXPECT_EQ(string_body(t.tokens[2].text), "x\nrand()");
}

TEST(PythonTokenizer, LogicalLinesJoinInBracketsAndAfterBackslash) {
  Tokens t = tokenize("f(a,\n  b)  # c\nx = 1 + \\\n  2\n\n   \ny", Language::python);
  EXPECT_EQ(texts(t), (std::vector<std::string>{"f", "(", "a", ",", "b", ")", "<nl>", "x", "=", "1", "+", "2", "<nl>",
                                                "y", "<nl>"}));
  ASSERT_EQ(t.comments.size(), 1u);
  EXPECT_EQ(t.comments[0].text, "# c");
  EXPECT_EQ(t.comments[0].line, 2u);
}

TEST(PythonTokenizer, FStringWithNestedQuotesOfTheSameKind) {
  Tokens t = tokenize("s = f\"{d[\"k\"]} random.seed(1)\"\nz", Language::python);
  EXPECT_EQ(texts(t), (std::vector<std::string>{"s", "=", "f\"{d[\"k\"]} random.seed(1)\"", "<nl>", "z", "<nl>"}));
}

}  // namespace
}  // namespace lint
