#include "lint/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

namespace lint {
namespace {

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$' || static_cast<unsigned char>(c) >= 0x80;
}
bool ident_char(char c) {
  return ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
}
bool digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Operators of more than one character, longest first.
constexpr std::string_view kCppOperators[] = {
    "<=>", "<<=", ">>=", "->*", "...", "::", "->", "==", "!=", "<=", ">=", "<<", "&&",
    "||",  "+=",  "-=",  "*=",  "/=",  "%=", "&=", "|=", "^=", "++", "--", ".*"};
constexpr std::string_view kPythonOperators[] = {
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**",
    "//",  "<<",  ">>",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|=", "^=", "@="};

// Shared bookkeeping: position, line and column, the output.
class Lexer {
 public:
  Lexer(std::string_view text, Language language) : m_s(text), m_language(language) {}

  Tokens run() {
    if (m_language == Language::cpp) {
      lex_cpp();
    } else {
      lex_python();
    }
    return std::move(m_out);
  }

 private:
  char at(std::size_t i) const { return i < m_s.size() ? m_s[i] : '\0'; }
  std::uint32_t column(std::size_t i) const { return static_cast<std::uint32_t>(i - m_line_start + 1); }

  // Moves to `end`, counting the newlines passed.
  void advance_to(std::size_t end) {
    for (; m_i < end && m_i < m_s.size(); ++m_i) {
      if (m_s[m_i] == '\n') new_line(m_i);
    }
  }
  void new_line(std::size_t newline_at) {
    ++m_line;
    m_line_start = newline_at + 1;
    m_line_has_token = false;
  }

  void emit(TokenKind kind, std::size_t begin, std::size_t end, std::uint32_t line, std::uint32_t col) {
    m_out.tokens.push_back(Token{kind, m_s.substr(begin, end - begin), line, col});
    m_line_has_token = true;
  }

  // A line continuation (backslash, optional CR, newline) at m_i?
  bool continuation() const {
    if (at(m_i) != '\\') return false;
    return at(m_i + 1) == '\n' || (at(m_i + 1) == '\r' && at(m_i + 2) == '\n');
  }

  void comment_to_line_end(std::size_t begin, bool continued_lines) {
    std::uint32_t line = m_line;
    std::uint32_t col = column(begin);
    bool own_line = !m_line_has_token;
    std::size_t end = begin;
    while (end < m_s.size() && m_s[end] != '\n') {
      if (continued_lines && m_s[end] == '\\' && (at(end + 1) == '\n' || (at(end + 1) == '\r' && at(end + 2) == '\n')))
        end += at(end + 1) == '\n' ? 2 : 3;
      else
        ++end;
    }
    m_out.comments.push_back(Comment{m_s.substr(begin, end - begin), line, col, own_line});
    advance_to(end);
  }

  void punct(std::span<const std::string_view> operators) {
    std::uint32_t col = column(m_i);
    for (std::string_view op : operators) {
      if (m_s.substr(m_i, op.size()) == op) {
        emit(TokenKind::punct, m_i, m_i + op.size(), m_line, col);
        m_i += op.size();
        return;
      }
    }
    emit(TokenKind::punct, m_i, m_i + 1, m_line, col);
    ++m_i;
  }

  void number(bool python) {
    std::size_t begin = m_i;
    std::uint32_t col = column(m_i);
    std::size_t j = m_i + 1;
    while (j < m_s.size()) {
      char c = m_s[j];
      char before = static_cast<char>(std::tolower(static_cast<unsigned char>(m_s[j - 1])));
      bool exponent_sign = (c == '+' || c == '-') && (before == 'e' || before == 'p');
      if (!python && c == '\'' && ident_char(at(j + 1))) {
        j += 2;  // digit separator
      } else if (exponent_sign || ident_char(c) || c == '.') {
        ++j;
      } else {
        break;
      }
    }
    m_i = j;
    emit(TokenKind::number, begin, j, m_line, col);
  }

  // ---- C++ ----

  void lex_cpp() {
    while (m_i < m_s.size()) {
      char c = m_s[m_i];
      if (c == '\n') {
        new_line(m_i);
        ++m_i;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++m_i;
      } else if (continuation()) {
        advance_to(m_i + (at(m_i + 1) == '\n' ? 2 : 3));
      } else if (c == '/' && at(m_i + 1) == '/') {
        comment_to_line_end(m_i, true);
      } else if (c == '/' && at(m_i + 1) == '*') {
        block_comment();
      } else if (c == '#' && !m_line_has_token) {
        directive();
      } else if (ident_start(c)) {
        identifier_or_prefixed_literal();
      } else if (digit(c) || (c == '.' && digit(at(m_i + 1)))) {
        number(false);
      } else if (c == '"' || c == '\'') {
        quoted(m_i, m_i);
      } else {
        punct(kCppOperators);
      }
    }
  }

  void block_comment() {
    std::size_t begin = m_i;
    std::uint32_t line = m_line;
    std::uint32_t col = column(m_i);
    bool own_line = !m_line_has_token;
    std::size_t close = m_s.find("*/", m_i + 2);
    std::size_t end = close == std::string_view::npos ? m_s.size() : close + 2;
    m_out.comments.push_back(Comment{m_s.substr(begin, end - begin), line, col, own_line});
    advance_to(end);
  }

  // `#include` is recorded and its line consumed; other directives' words
  // are tokens like any others (a #define can hide a hazard).
  void directive() {
    std::uint32_t line = m_line;
    std::uint32_t col = column(m_i);
    std::size_t j = m_i + 1;
    while (at(j) == ' ' || at(j) == '\t') ++j;
    std::size_t word = j;
    while (ident_char(at(j))) ++j;
    std::string_view name = m_s.substr(word, j - word);
    if (name != "include" && name != "include_next" && name != "import") {
      emit(TokenKind::punct, m_i, m_i + 1, line, col);
      ++m_i;
      return;
    }
    while (at(j) == ' ' || at(j) == '\t') ++j;
    char open = at(j);
    char close = open == '<' ? '>' : '"';
    if (open == '<' || open == '"') {
      std::size_t end = m_s.find_first_of(std::string_view{open == '<' ? ">\n" : "\"\n"}, j + 1);
      if (end != std::string_view::npos && m_s[end] == close)
        m_out.includes.push_back(Include{std::string(m_s.substr(j + 1, end - j - 1)), open == '<', line});
    }
    m_line_has_token = true;
    std::size_t line_end = m_s.find('\n', j);
    advance_to(line_end == std::string_view::npos ? m_s.size() : line_end);
  }

  void identifier_or_prefixed_literal() {
    std::size_t begin = m_i;
    std::size_t j = m_i;
    while (j < m_s.size() && ident_char(m_s[j])) ++j;
    std::string_view word = m_s.substr(begin, j - begin);
    char next = at(j);
    if (next == '"' || next == '\'') {
      static constexpr std::string_view kPrefixes[] = {"L", "u", "U", "u8"};
      static constexpr std::string_view kRawPrefixes[] = {"R", "LR", "uR", "UR", "u8R"};
      if (next == '"' && std::find(std::begin(kRawPrefixes), std::end(kRawPrefixes), word) != std::end(kRawPrefixes)) {
        raw_string(begin, j);
        return;
      }
      if (std::find(std::begin(kPrefixes), std::end(kPrefixes), word) != std::end(kPrefixes)) {
        quoted(begin, j);
        return;
      }
    }
    emit(TokenKind::identifier, begin, j, m_line, column(begin));
    m_i = j;
  }

  // A "..." or '...' literal whose prefix starts at `begin` and quote is at `quote`.
  void quoted(std::size_t begin, std::size_t quote) {
    std::uint32_t line = m_line;
    std::uint32_t col = column(begin);
    char q = m_s[quote];
    std::size_t j = quote + 1;
    while (j < m_s.size() && m_s[j] != q && m_s[j] != '\n') j += m_s[j] == '\\' ? 2 : 1;
    std::size_t end = std::min(m_s.size(), j < m_s.size() && m_s[j] == q ? j + 1 : j);
    advance_to(end);
    emit(TokenKind::string, begin, end, line, col);
  }

  void raw_string(std::size_t begin, std::size_t quote) {
    std::uint32_t line = m_line;
    std::uint32_t col = column(begin);
    std::size_t open = m_s.find('(', quote + 1);
    std::size_t end = m_s.size();
    if (open != std::string_view::npos && open - quote - 1 <= 16) {
      std::string terminator = ")" + std::string(m_s.substr(quote + 1, open - quote - 1)) + "\"";
      std::size_t close = m_s.find(terminator, open + 1);
      if (close != std::string_view::npos) end = close + terminator.size();
    }
    advance_to(end);
    emit(TokenKind::string, begin, end, line, col);
  }

  // ---- Python ----

  void lex_python() {
    int depth = 0;
    while (m_i < m_s.size()) {
      char c = m_s[m_i];
      if (c == '\n') {
        end_logical_line(depth);
        new_line(m_i);
        ++m_i;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        ++m_i;
      } else if (continuation()) {
        advance_to(m_i + (at(m_i + 1) == '\n' ? 2 : 3));
        m_line_has_token = true;  // the next line continues this one
      } else if (c == '#') {
        comment_to_line_end(m_i, false);
      } else if (ident_start(c)) {
        python_identifier_or_string();
      } else if (digit(c) || (c == '.' && digit(at(m_i + 1)))) {
        number(true);
      } else if (c == '"' || c == '\'') {
        python_string(m_i, m_i, false);
      } else {
        if (c == '(' || c == '[' || c == '{') ++depth;
        if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
        punct(kPythonOperators);
      }
    }
    end_logical_line(0);
  }

  void end_logical_line(int depth) {
    if (depth > 0 || m_out.tokens.empty() || m_out.tokens.back().kind == TokenKind::newline) return;
    const Token& last = m_out.tokens.back();
    m_out.tokens.push_back(Token{TokenKind::newline, {}, last.line, last.column + 1});
  }

  void python_identifier_or_string() {
    std::size_t begin = m_i;
    std::size_t j = m_i;
    while (j < m_s.size() && ident_char(m_s[j])) ++j;
    char next = at(j);
    if ((next == '"' || next == '\'') && j - begin <= 2) {
      std::string prefix;
      for (std::size_t k = begin; k < j; ++k)
        prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(m_s[k])));
      static constexpr std::string_view kPrefixes[] = {"r", "u", "b", "f", "br", "rb", "fr", "rf"};
      if (std::find(std::begin(kPrefixes), std::end(kPrefixes), prefix) != std::end(kPrefixes)) {
        python_string(begin, j, prefix.find('f') != std::string::npos);
        return;
      }
    }
    emit(TokenKind::identifier, begin, j, m_line, column(begin));
    m_i = j;
  }

  // The end of the string whose opening quote is at `quote`.
  std::size_t python_string_end(std::size_t quote, bool formatted) const {
    char q = m_s[quote];
    bool triple = at(quote + 1) == q && at(quote + 2) == q;
    std::size_t j = quote + (triple ? 3 : 1);
    int braces = 0;
    while (j < m_s.size()) {
      char c = m_s[j];
      if (c == '\\') {
        j += 2;
      } else if (formatted && c == '{') {
        if (braces == 0 && at(j + 1) == '{') {
          j += 2;
        } else {
          ++braces;
          ++j;
        }
      } else if (formatted && c == '}' && braces > 0) {
        --braces;
        ++j;
      } else if (formatted && braces > 0 && (c == '"' || c == '\'')) {
        j = python_string_end(j, false);  // a string inside a replacement field
      } else if (c == q && (!triple || (at(j + 1) == q && at(j + 2) == q))) {
        return j + (triple ? 3 : 1);
      } else if (c == '\n' && !triple) {
        return j;  // unterminated: ends with its line
      } else {
        ++j;
      }
    }
    return m_s.size();
  }

  void python_string(std::size_t begin, std::size_t quote, bool formatted) {
    std::uint32_t line = m_line;
    std::uint32_t col = column(begin);
    std::size_t end = std::min(python_string_end(quote, formatted), m_s.size());
    advance_to(end);
    emit(TokenKind::string, begin, end, line, col);
  }

  std::string_view m_s;
  Language m_language;
  std::size_t m_i = 0;
  std::size_t m_line_start = 0;
  std::uint32_t m_line = 1;
  bool m_line_has_token = false;
  Tokens m_out;
};

}  // namespace

Tokens tokenize(std::string_view text, Language language) {
  return Lexer(text, language).run();
}

std::string_view string_body(std::string_view literal) {
  std::size_t quote = literal.find_first_of("\"'");
  if (quote == std::string_view::npos) return {};
  std::string_view prefix = literal.substr(0, quote);
  std::string_view body = literal.substr(quote);
  if (prefix.find('R') != std::string_view::npos) {  // C++ raw: R"delim( ... )delim"
    std::size_t open = body.find('(');
    std::size_t close = body.rfind(')');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open)
      return body.substr(open + 1, close - open - 1);
  }
  char q = body[0];
  std::size_t width = body.size() >= 6 && body[1] == q && body[2] == q ? 3 : 1;
  if (body.size() < 2 * width) return body.substr(width < body.size() ? width : body.size());
  bool closed = body.substr(body.size() - width) == std::string(width, q);
  return body.substr(width, body.size() - width - (closed ? width : 0));
}

}  // namespace lint
