#pragma once
// Reads a TOML document key by key with errors a user can act on:
// "path:line:col: message", lower-case, naming the key and what it must be,
// with "did you mean" for a near miss. Every `fail` throws TomlError, which the
// caller of the whole read catches once and turns into a Result.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/strings.hpp"

namespace util {

using KeyList = std::vector<std::string_view>;

// Thrown by TomlReader::fail; whoever reads the file turns it into a Result.
struct TomlError {
  std::string message;
};

class TomlReader {
 public:
  explicit TomlReader(std::string display_path) : m_path(std::move(display_path)) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& message) const {
    if (where.begin.line == 0) throw TomlError{fmt::format("{}: {}", m_path, message)};
    throw TomlError{fmt::format("{}:{}:{}: {}", m_path, where.begin.line, where.begin.column, message)};
  }
  [[noreturn]] void fail(const toml::node& node, const std::string& message) const { fail(node.source(), message); }

  // Rejects keys of `table` not in `allowed`, suggesting the nearest allowed key.
  void reject_unknown(const toml::table& table, const KeyList& allowed, const std::string& where) const {
    for (auto&& [key, value] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string message = fmt::format("unknown key '{}' in {}", key.str(), where);
      if (auto near = util::closest_match(key.str(), allowed)) message += fmt::format("; did you mean '{}'?", *near);
      fail(key.source(), message);
    }
  }

  static std::string type_name(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a number";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::array:
        return "an array";
      case toml::node_type::table:
        return "a table";
      default:
        return "a date or time";
    }
  }

  [[noreturn]] void wrong_type(const toml::node& node, std::string_view key, std::string_view expected) const {
    fail(node, fmt::format("'{}' must be {}, not {}", key, expected, type_name(node)));
  }

  std::string string(const toml::node& node, std::string_view key) const {
    if (auto v = node.value_exact<std::string>()) return *v;
    wrong_type(node, key, "a string");
  }

  std::int64_t integer(const toml::node& node, std::string_view key, std::int64_t min, std::int64_t max) const {
    auto v = node.value_exact<std::int64_t>();
    if (!v) wrong_type(node, key, "an integer");
    if (*v < min) fail(node, fmt::format("'{}' must be at least {}, got {}", key, min, *v));
    if (*v > max) fail(node, fmt::format("'{}' must be at most {}, got {}", key, max, *v));
    return *v;
  }

  double number(const toml::node& node, std::string_view key) const {
    if (!node.is_number()) wrong_type(node, key, "a number");
    double v = *node.value<double>();
    if (!std::isfinite(v)) fail(node, fmt::format("'{}' must be finite, got {}", key, util::format_number(v)));
    return v;
  }

  double non_negative(const toml::node& node, std::string_view key) const {
    double v = number(node, key);
    if (v < 0) fail(node, fmt::format("'{}' must be at least 0, got {}", key, util::format_number(v)));
    return v;
  }

  bool boolean(const toml::node& node, std::string_view key) const {
    if (auto v = node.value_exact<bool>()) return *v;
    wrong_type(node, key, "a boolean");
  }

  const toml::table& table(const toml::node& node, std::string_view key) const {
    if (auto t = node.as_table()) return *t;
    wrong_type(node, key, "a table");
  }

  // A list of strings; names (modes, devices) may not repeat, argv entries may
  // ("--lr 1 --momentum 1").
  enum class Repeats { rejected, allowed };
  std::vector<std::string> string_list(const toml::node& node, std::string_view key,
                                       Repeats repeats = Repeats::rejected) const {
    const toml::array* array = node.as_array();
    if (!array) wrong_type(node, key, "an array of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
      auto v = item.value_exact<std::string>();
      if (!v) fail(item, fmt::format("'{}' must hold strings, not {}", key, type_name(item)));
      if (repeats == Repeats::rejected && std::find(out.begin(), out.end(), *v) != out.end())
        fail(item, fmt::format("'{}' lists '{}' twice", key, *v));
      out.push_back(*v);
    }
    return out;
  }

  // A string that must be one of `choices`.
  std::string choice(const toml::node& node, std::string_view key, const KeyList& choices) const {
    std::string v = string(node, key);
    if (std::find(choices.begin(), choices.end(), v) != choices.end()) return v;
    std::vector<std::string> quoted;
    for (auto c : choices) quoted.push_back(fmt::format("\"{}\"", c));
    std::string message = fmt::format("'{}' must be one of {}, got \"{}\"", key, util::join(quoted, ", "), v);
    if (auto near = util::closest_match(v, choices)) message += fmt::format("; did you mean \"{}\"?", *near);
    fail(node, message);
  }

  // The document, with syntax errors in the same style (lower case, path:line:col).
  toml::table parse(std::string_view text) const {
    try {
      return toml::parse(text, m_path);
    } catch (const toml::parse_error& e) {
      std::string description(e.description());
      if (!description.empty()) description[0] = static_cast<char>(std::tolower(description[0]));
      fail(e.source(), description);
    }
  }

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

// `value` against `dir` unless it is absolute.
inline std::filesystem::path resolve_path(const std::filesystem::path& dir, const std::string& value) {
  std::filesystem::path p(value);
  return p.is_absolute() ? p : (dir / p).lexically_normal();
}

}  // namespace util
