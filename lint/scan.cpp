#include "lint/scan.hpp"

#include <charconv>
#include <string>

namespace lint {
namespace {

bool opens(std::string_view s) {
  return s == "(" || s == "[" || s == "{";
}
bool closes(std::string_view s) {
  return s == ")" || s == "]" || s == "}";
}

}  // namespace

std::size_t Scan::close(std::size_t open) const {
  int depth = 0;
  for (std::size_t i = open; i < m_t.size(); ++i) {
    if (m_t[i].kind != TokenKind::punct) continue;
    if (opens(m_t[i].text)) {
      ++depth;
    } else if (closes(m_t[i].text) && --depth == 0) {
      return i;
    }
  }
  return npos;
}

std::vector<Argument> Scan::arguments(std::size_t open) const {
  std::vector<Argument> out;
  std::size_t end = close(open);
  if (end == npos) end = m_t.size();
  std::size_t begin = open + 1;
  int depth = 0;
  auto push = [&](std::size_t b, std::size_t e) {
    if (b >= e) return;
    Argument a{b, e, {}, b};
    if (e > b + 2 && is_identifier(b) && is(b + 1, "=")) {
      a.keyword = text(b);
      a.value = b + 2;
    }
    out.push_back(a);
  };
  for (std::size_t i = open + 1; i < end; ++i) {
    if (m_t[i].kind == TokenKind::newline) continue;
    if (m_t[i].kind != TokenKind::punct) continue;
    if (opens(m_t[i].text)) {
      ++depth;
    } else if (closes(m_t[i].text)) {
      --depth;
    } else if (depth == 0 && m_t[i].text == ",") {
      push(begin, i);
      begin = i + 1;
    }
  }
  push(begin, end);
  return out;
}

const Argument* Scan::keyword(const std::vector<Argument>& args, std::string_view name) const {
  for (const Argument& a : args)
    if (a.keyword == name) return &a;
  return nullptr;
}

std::optional<double> Scan::number(std::size_t begin, std::size_t end) const {
  bool negative = false;
  if (end == begin + 2 && is(begin, "-")) {
    negative = true;
    ++begin;
  }
  if (end != begin + 1) return std::nullopt;
  std::string_view s = text(begin);
  if (m_t[begin].kind == TokenKind::string) s = string_body(s);  // the C API takes "0.8"
  std::string digits;
  for (char c : s)
    if (c != '\'' && c != '_' && c != 'f' && c != 'F') digits += c;
  double value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
  return negative ? -value : value;
}

std::size_t Scan::statement_end(std::size_t i) const {
  int depth = 0;
  for (; i < m_t.size(); ++i) {
    if (m_t[i].kind != TokenKind::punct) continue;
    std::string_view s = m_t[i].text;
    if (opens(s)) {
      ++depth;
    } else if (closes(s)) {
      if (--depth < 0) return i;
    } else if (depth == 0 && s == ";") {
      return i;
    }
  }
  return m_t.size();
}

std::size_t Scan::statement_begin(std::size_t i) const {
  int depth = 0;
  while (i > 0) {
    --i;
    if (m_t[i].kind != TokenKind::punct) continue;
    std::string_view s = m_t[i].text;
    if (closes(s)) {
      ++depth;
    } else if (opens(s)) {
      if (--depth < 0) return i + 1;
    } else if (depth == 0 && s == ";") {
      return i + 1;
    }
  }
  return 0;
}

bool in_definition(const Scan& s, std::size_t i) {
  int depth = 0;
  for (std::size_t k = i; k > 0; --k) {
    if (s.is_newline(k - 1)) return false;
    if (s.is(k - 1, ")") || s.is(k - 1, "]") || s.is(k - 1, "}")) ++depth;
    if (s.is(k - 1, "(") || s.is(k - 1, "[") || s.is(k - 1, "{")) {
      if (depth-- == 0) return k >= 3 && s.is(k - 1, "(") && s.is_identifier(k - 2) && s.is(k - 3, "def");
    }
  }
  return false;
}

std::optional<ModuleCall> module_call(const Scan& s, const FileFacts& facts, std::size_t i) {
  if (!s.is_identifier(i) || s.is(i - 1, ".")) return std::nullopt;
  std::string_view module = module_of(facts, s.text(i));
  if (module.empty()) return std::nullopt;
  ModuleCall call{std::string(module), i + 1};
  while (s.is(call.open, ".") && s.is_identifier(call.open + 1)) {
    call.resolved += '.';
    call.resolved += s.text(call.open + 1);
    call.open += 2;
  }
  if (!s.is(call.open, "(")) return std::nullopt;
  return call;
}

std::string_view module_of(const FileFacts& facts, std::string_view name) {
  for (const auto& [alias, module] : facts.module_aliases)
    if (alias == name) return module;
  return {};
}

}  // namespace lint
