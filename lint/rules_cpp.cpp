// Rules for C++ in general: seeds from entropy or the clock, rand(),
// default-constructed engines, distributions whose output the standard does
// not fix, and output built by iterating unordered containers.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <span>

#include "lint/scan.hpp"

namespace lint {
namespace {

constexpr std::string_view kEngines[] = {
    "mt19937",  "mt19937_64",    "minstd_rand",   "minstd_rand0", "ranlux24",
    "ranlux48", "ranlux24_base", "ranlux48_base", "knuth_b",      "default_random_engine"};
constexpr std::string_view kDistributions[] = {std::string_view{"uniform_int_distribution"},
                                               "uniform_real_distribution",
                                               "bernoulli_distribution",
                                               "binomial_distribution",
                                               "geometric_distribution",
                                               "negative_binomial_distribution",
                                               "poisson_distribution",
                                               "exponential_distribution",
                                               "gamma_distribution",
                                               "weibull_distribution",
                                               "extreme_value_distribution",
                                               "normal_distribution",
                                               "lognormal_distribution",
                                               "chi_squared_distribution",
                                               "cauchy_distribution",
                                               "fisher_f_distribution",
                                               "student_t_distribution",
                                               "discrete_distribution",
                                               "piecewise_constant_distribution",
                                               "piecewise_linear_distribution"};
constexpr std::string_view kRand[] = {"rand", "srand", "drand48", "lrand48", "mrand48", "srand48"};
constexpr std::string_view kClocks[] = {"system_clock", "steady_clock", "high_resolution_clock"};
constexpr std::string_view kUnordered[] = {"unordered_map", "unordered_set", "unordered_multimap",
                                           "unordered_multiset"};
constexpr std::string_view kOutput[] = {"<<",     "printf",    "fprintf", "puts",      "print",        "println",
                                        "format", "format_to", "write",   "push_back", "emplace_back", "append"};

bool in(std::string_view word, std::span<const std::string_view> words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Which `{` open a class body, so that a member `std::mt19937 m_engine;`
// (initialised by a constructor) is not taken for a default-constructed one.
std::vector<bool> class_scopes(const Scan& s) {
  std::vector<bool> in_class(s.size(), false);
  std::vector<bool> stack;
  for (std::size_t i = 0; i < s.size(); ++i) {
    in_class[i] = !stack.empty() && stack.back();
    if (s.is(i, "{")) {
      bool is_class = false;
      for (std::size_t k = i; k > 0; --k) {
        std::string_view t = s.text(k - 1);
        if (s.is(k - 1, ";") || s.is(k - 1, "{") || s.is(k - 1, "}") || s.is(k - 1, "(") || s.is(k - 1, "=")) break;
        if (t == "enum") break;
        if (s.is_identifier(k - 1) && (t == "class" || t == "struct" || t == "union")) is_class = true;
      }
      stack.push_back(is_class);
    } else if (s.is(i, "}") && !stack.empty()) {
      stack.pop_back();
    }
  }
  return in_class;
}

// What in [begin, end) makes a seed nondeterministic, or empty.
std::string_view entropy_source(const Scan& s, std::size_t begin, std::size_t end,
                                const std::set<std::string_view, std::less<>>& devices) {
  for (std::size_t k = begin; k < end && k < s.size(); ++k) {
    if (!s.is_identifier(k)) continue;
    std::string_view w = s.text(k);
    if (w == "random_device" || devices.contains(w)) return "std::random_device";
    if ((w == "time" || w == "clock" || w == "getpid" || w == "now") && s.is(k + 1, "(")) return "the clock";
    if (in(w, kClocks)) return "the clock";
  }
  return {};
}

void nondeterministic_seeds(const Scan& s, Sink& sink) {
  std::set<std::string_view, std::less<>> devices;  // variables of type std::random_device
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s.is(i, "random_device") && s.is_identifier(i + 1)) devices.insert(s.text(i + 1));
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is_identifier(i)) continue;
    std::string_view w = s.text(i);
    std::size_t open = npos;
    bool seeding_call = w == "srand" || w == "srand48" || w == "manual_seed" || (w == "seed" && s.member(i));
    if (seeding_call && s.is(i + 1, "(")) {
      open = i + 1;
    } else if (in(w, kEngines) || w == "seed_seq") {
      if (s.is(i + 1, "(") || s.is(i + 1, "{")) {
        open = i + 1;
      } else if (s.is_identifier(i + 1) && (s.is(i + 2, "(") || s.is(i + 2, "{"))) {
        open = i + 2;
      }
    }
    if (open == npos) continue;
    std::size_t close = s.close(open);
    std::string_view source = entropy_source(s, open + 1, close == npos ? s.size() : close, devices);
    if (!source.empty()) {
      sink.add("cpp-nondeterministic-seed", s.token(i), fmt::format("'{}' is seeded from {}", w, source));
    }
  }
}

void rand_calls(const Scan& s, Sink& sink) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is_identifier(i) || !in(s.text(i), kRand) || !s.is(i + 1, "(") || s.member(i)) continue;
    if (s.is(i - 1, "::") && !s.qualifier(i).empty() && s.qualifier(i) != "std") continue;  // torch::rand
    if (i > 0 && s.is_identifier(i - 1) && !s.is(i - 1, "return")) continue;                // a declaration
    sink.add("cpp-rand", s.token(i), fmt::format("'{}()' uses the C library's global generator", s.text(i)));
  }
}

void default_engines(const Scan& s, Sink& sink) {
  std::vector<bool> in_class = class_scopes(s);
  std::set<std::string_view, std::less<>> reseeded;  // gen.seed(...) somewhere in the file
  for (std::size_t i = 2; i < s.size(); ++i) {
    if (s.is(i, "seed") && s.is(i - 1, ".") && s.is_identifier(i - 2)) reseeded.insert(s.text(i - 2));
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is_identifier(i) || !in(s.text(i), kEngines) || s.member(i)) continue;
    if (s.is(i - 1, "::") && s.qualifier(i) != "std") continue;
    bool temporary = s.seq(i + 1, {"(", ")"}) || s.seq(i + 1, {"{", "}"});
    bool declared = s.is_identifier(i + 1) && (s.is(i + 2, ";") || s.seq(i + 2, {"{", "}"}));
    if (declared && (in_class[i] || reseeded.contains(s.text(i + 1)))) continue;
    if (temporary || declared) {
      sink.add(
          "cpp-default-engine", s.token(i),
          fmt::format("'{}' is default-constructed, so it starts from the same fixed seed in every run", s.text(i)));
    }
  }
}

void std_distributions(const Scan& s, Sink& sink) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is_identifier(i) || s.member(i)) continue;
    std::string_view w = s.text(i);
    bool std_qualified = s.is(i - 1, "::") && s.qualifier(i) == "std";
    if (in(w, kDistributions) && (std_qualified || !s.is(i - 1, "::"))) {
      sink.add("cpp-std-distribution", s.token(i),
               fmt::format("std::{} gives different numbers under libstdc++, libc++ and MSVC", w));
    } else if ((w == "shuffle" || w == "sample") && std_qualified && s.is(i + 1, "(")) {
      sink.add("cpp-std-distribution", s.token(i),
               fmt::format("std::{} gives different orders under libstdc++, libc++ and MSVC", w));
    }
  }
}

void unordered_iteration(const Scan& s, Sink& sink) {
  std::set<std::string_view, std::less<>> containers;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is_identifier(i) || !in(s.text(i), kUnordered) || !s.is(i + 1, "<")) continue;
    std::size_t k = i + 1;
    for (int depth = 0; k < s.size(); ++k) {
      if (s.is(k, "<")) ++depth;
      if (s.is(k, ">") && --depth == 0) break;
      if (s.is(k, ";") || s.is(k, "{")) break;
    }
    ++k;
    while (s.is(k, "const") || s.is(k, "&") || s.is(k, "*") || s.is(k, "&&")) ++k;
    if (s.is_identifier(k) && (s.is(k + 1, ";") || s.is(k + 1, "=") || s.is(k + 1, "{") || s.is(k + 1, "(") ||
                               s.is(k + 1, ")") || s.is(k + 1, ",")))
      containers.insert(s.text(k));
  }
  if (containers.empty()) return;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.is(i, "for") || !s.is(i + 1, "(")) continue;
    std::size_t close = s.close(i + 1);
    if (close == npos) continue;
    std::size_t colon = npos;
    int depth = 0;
    for (std::size_t k = i + 2; k < close; ++k) {
      if (s.is(k, "(") || s.is(k, "[") || s.is(k, "{")) ++depth;
      if (s.is(k, ")") || s.is(k, "]") || s.is(k, "}")) --depth;
      if (depth == 0 && s.is(k, ":")) {
        colon = k;
        break;
      }
    }
    if (colon == npos || !s.is_identifier(close - 1) || !containers.contains(s.text(close - 1))) continue;
    bool plain = true;  // NAME, obj.NAME or this->NAME: not a call that sorts
    for (std::size_t k = colon + 1; k < close; ++k)
      if (s.is(k, "(")) plain = false;
    if (!plain) continue;
    std::size_t body_end = s.is(close + 1, "{") ? s.close(close + 1) : s.statement_end(close + 1);
    if (body_end == npos) body_end = s.size();
    for (std::size_t k = close + 1; k < body_end; ++k) {
      if ((s.is_identifier(k) || s.is(k, "<<")) && in(s.text(k), kOutput)) {
        sink.add("cpp-unordered-iteration", s.token(i),
                 fmt::format("iterating '{}' (unordered) feeds output in hash order", s.text(close - 1)));
        break;
      }
    }
  }
}

}  // namespace

void check_cpp(const RuleContext& c) {
  nondeterministic_seeds(c.scan, c.sink);
  rand_calls(c.scan, c.sink);
  default_engines(c.scan, c.sink);
  std_distributions(c.scan, c.sink);
  unordered_iteration(c.scan, c.sink);
}

}  // namespace lint
