#pragma once
// Tokenizers for C++ and Python: enough of each language's lexical grammar
// that a lint rule sees code and never the inside of a comment or a string.
// C++: line and block comments, string and character literals with their
// prefixes, raw strings (R"delim(...)delim"), digit separators, backslash
// line continuations, #include lines. Python: comments, single- and
// triple-quoted strings with any prefix (f-strings' nested quotes
// included), explicit and bracket line joining, logical-line ends.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lint {

enum class Language : std::uint8_t { cpp, python };

enum class TokenKind : std::uint8_t {
  identifier,  // keywords too: rules read them by their text
  number,
  string,   // a string or character literal, prefix and quotes included
  punct,    // an operator or delimiter ("::", "->", "==", "(", ...)
  newline,  // Python only: the end of a logical line
};

struct Token {
  TokenKind kind;
  std::string_view text;  // a view into the file's text
  std::uint32_t line;     // 1-based
  std::uint32_t column;   // 1-based, in bytes
};

struct Comment {
  std::string_view text;  // without the comment markers' line end
  std::uint32_t line;     // where it starts
  std::uint32_t column;
  bool own_line;  // nothing but whitespace before it on its line
};

// `#include "path"` or `#include <path>` in C++.
struct Include {
  std::string path;
  bool angled;
  std::uint32_t line;
};

struct Tokens {
  std::vector<Token> tokens;
  std::vector<Comment> comments;
  std::vector<Include> includes;
};

// Never fails: bytes that fit no token are skipped, an unterminated string
// or comment runs to the end of the text.
Tokens tokenize(std::string_view text, Language language);

// A string literal's contents without prefix and quotes (escapes kept as written).
std::string_view string_body(std::string_view literal);

}  // namespace lint
