#pragma once
// Small string helpers that know nothing of seedgate.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace util {

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

std::string join(std::span<const std::string> parts, std::string_view separator);

// Where a bare program name is looked up when PATH is unset, as execvp does.
inline constexpr std::string_view kDefaultSearchPath = "/usr/local/bin:/usr/bin:/bin";
// This process's PATH, or kDefaultSearchPath.
std::string_view search_path();
// "dir/name" for each folder of a PATH-style list, in order; an empty entry
// is the current folder (".").
std::vector<std::string> path_candidates(std::string_view search_path, std::string_view name);

// Shortest text that reads back as the same double ("0.1", not "0.10000000000000001");
// "nan", "inf" and "-inf" for the non-finite values.
std::string format_number(double value);

// Length of the valid UTF-8 sequence at the start of `s` and its code point
// in `code_point`; 0 for invalid UTF-8 (overlong, surrogate, out of range, cut).
std::size_t decode_utf8(std::string_view s, char32_t& code_point);

// Rewrites text one code point at a time: invalid UTF-8 becomes U+FFFD, and
// `rewrite(out, code_point, sequence)` appends each valid code point (its
// bytes are `sequence`) in whatever form the caller needs.
template <typename Rewrite>
std::string rewrite_utf8(std::string_view bytes, Rewrite rewrite) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    char32_t c = 0;
    std::size_t length = decode_utf8(bytes, c);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      length = 1;
    } else {
      rewrite(out, c, bytes.substr(0, length));
    }
    bytes.remove_prefix(length);
  }
  return out;
}

// "\xNN" for a control character.
std::string hex_escape(char32_t code_point);

// Text safe for a terminal: control characters other than newline and tab
// written as "\xNN" (no escape sequences reach the screen), invalid UTF-8 as U+FFFD.
std::string printable(std::string_view bytes);

// The deepest nesting of arrays and objects in JSON text, found by a scan
// that does not recurse (brackets inside strings do not count). Readers
// refuse text nested deeper than they can write back.
std::size_t json_depth(std::string_view text);
inline constexpr std::size_t kMaxJsonDepth = 64;

// strerror(error) in lower case, as seedgate's messages are ("no such file or directory").
std::string error_text(int error);

bool starts_with(std::string_view text, std::string_view prefix);

// Trailing part of `text` of at most `max_bytes`, cut at a line start when one is near.
std::string_view tail(std::string_view text, std::size_t max_bytes);

// Escapes text for a GitHub workflow command (`::error file=...::message`):
// '%', CR and LF always; ':' and ',' too in a property (`property`).
std::string github_escape(std::string_view text, bool property);

}  // namespace util
