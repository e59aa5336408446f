#pragma once
// Internal to lint/: reading token patterns and call shapes, the facts
// gathered per file and for the project, and the rule passes.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/lint.hpp"

namespace lint {

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

// One argument of a call: tokens [begin, end); for a Python keyword
// argument `name=value`, `keyword` is the name and the value starts at value.
struct Argument {
  std::size_t begin;
  std::size_t end;
  std::string_view keyword;
  std::size_t value;
};

// Token patterns over one file. Strings never match a code pattern: `is`
// compares only identifiers, numbers and punctuation.
class Scan {
 public:
  explicit Scan(const SourceFile& file) : m_file(file), m_t(file.lexed.tokens) {}

  const SourceFile& file() const { return m_file; }
  std::size_t size() const { return m_t.size(); }
  const Token& token(std::size_t i) const { return m_t[i]; }
  std::string_view text(std::size_t i) const { return i < m_t.size() ? m_t[i].text : std::string_view{}; }
  bool is_string(std::size_t i) const { return i < m_t.size() && m_t[i].kind == TokenKind::string; }
  bool is_identifier(std::size_t i) const { return i < m_t.size() && m_t[i].kind == TokenKind::identifier; }
  bool is_newline(std::size_t i) const { return i < m_t.size() && m_t[i].kind == TokenKind::newline; }
  bool is(std::size_t i, std::string_view s) const {
    return i < m_t.size() && m_t[i].kind != TokenKind::string && m_t[i].text == s;
  }
  // Tokens i, i+1, ... have these texts.
  bool seq(std::size_t i, std::initializer_list<std::string_view> texts) const {
    for (std::string_view s : texts) {
      if (!is(i++, s)) return false;
    }
    return true;
  }
  // Token i is reached through `.`, `->` or `::` (a member or a qualified name).
  bool qualified(std::size_t i) const { return i > 0 && (is(i - 1, ".") || is(i - 1, "->") || is(i - 1, "::")); }
  bool member(std::size_t i) const { return i > 0 && (is(i - 1, ".") || is(i - 1, "->")); }
  // The name before `::` in front of token i ("std" in std::rand), or empty.
  std::string_view qualifier(std::size_t i) const {
    return i >= 2 && is(i - 1, "::") ? text(i - 2) : std::string_view{};
  }

  // The bracket closing the one at `open` (npos if unbalanced).
  std::size_t close(std::size_t open) const;
  // The arguments of the call whose '(' is at `open`.
  std::vector<Argument> arguments(std::size_t open) const;
  // The argument named `keyword` (Python), if given.
  const Argument* keyword(const std::vector<Argument>& args, std::string_view name) const;
  // Does [begin, end) hold exactly `text` (one token)?
  bool single(std::size_t begin, std::size_t end, std::string_view text) const {
    return end == begin + 1 && is(begin, text);
  }
  // A number literal's value, where the tokens [begin, end) are one.
  std::optional<double> number(std::size_t begin, std::size_t end) const;
  // The end (exclusive) of the statement holding token i: the next ';' at its depth (C++).
  std::size_t statement_end(std::size_t i) const;
  std::size_t statement_begin(std::size_t i) const;

 private:
  const SourceFile& m_file;
  const std::vector<Token>& m_t;
};

// Where findings go before suppressions and severities apply.
struct RawFinding {
  std::string_view rule;
  std::uint32_t line;
  std::uint32_t column;
  std::string message;
};

class Sink {
 public:
  void add(std::string_view rule, const Token& at, std::string message) {
    m_findings.push_back(RawFinding{rule, at.line, at.column, std::move(message)});
  }
  std::vector<RawFinding>& findings() { return m_findings; }

 private:
  std::vector<RawFinding> m_findings;
};

struct Location {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  bool found() const { return line != 0; }
};

// How far a file (or the project) turns on LibTorch's deterministic algorithms.
enum class Determinism : std::uint8_t { none, warn_only, enabled };

// What one file does that project-wide rules ask about.
struct FileFacts {
  Location torch_use;  // first use of torch (C++: torch::, Python: import torch)
  bool seeds_torch = false;
  Determinism determinism = Determinism::none;
  bool seeds_random = false;  // Python's random module
  bool seeds_numpy = false;
  std::vector<std::string> includes;  // C++ #include paths
  struct Import {
    std::string module;              // dotted, leading dots for relative imports
    std::vector<std::string> names;  // from module import names
  };
  std::vector<Import> imports;  // Python
  // Python names bound to modules: alias -> module ("np" -> "numpy").
  std::vector<std::pair<std::string, std::string>> module_aliases;
  bool uses_xgboost = false;  // includes xgboost/ or imports xgboost
  // A program's entry: C++ defines main(), Python tests __name__ == "__main__".
  bool defines_main = false;
  // The seed seedgate passes can arrive here: SEEDGATE_SEED is named, the
  // seedgate client reads it (seedgate::torch::configure and the like), or the
  // command line is parsed (main(argc, argv); argparse, sys.argv, click, ...).
  bool reads_seed = false;
  // Seeds fixed in the code: torch.manual_seed(1), np.random.seed(0),
  // random_state=0, std::mt19937 engine(42).
  struct ConstantSeed {
    Location at;
    std::string what;  // as written: "torch.manual_seed(1)"
  };
  std::vector<ConstantSeed> constant_seeds;
};

FileFacts gather_facts(const Scan& scan);

// The answers to project-wide questions, over the files an entry point
// reaches (for a file several entry points reach: true only where true for
// each), or, for files no entry point reaches, over the project.
struct ProjectFacts {
  bool torch_seeded = false;
  Determinism determinism = Determinism::none;
  bool random_seeded = false;
  bool numpy_seeded = false;
  bool seed_flows = false;
  std::string seedless_entry;  // an entry point whose files never read the seed; empty: the project
};

struct RuleContext {
  const Scan& scan;
  const FileFacts& facts;
  const ProjectFacts& project;
  const LintConfig& config;
  Sink& sink;
};

void check_torch(const RuleContext& context);
void check_cpp(const RuleContext& context);
void check_python(const RuleContext& context);
void check_xgboost(const RuleContext& context);
void check_sklearn(const RuleContext& context);

// Is token i inside the parameter list of a Python `def` (a default, not a call's argument)?
bool in_definition(const Scan& scan, std::size_t i);

// The module a Python name stands for in this file ("np" -> "numpy"), or empty.
std::string_view module_of(const FileFacts& facts, std::string_view name);

// A call through a module at token i, not after a '.': `np.random.seed(`
// gives "numpy.random.seed" and the index of its "("; nullopt otherwise.
struct ModuleCall {
  std::string resolved;
  std::size_t open;
};
std::optional<ModuleCall> module_call(const Scan& scan, const FileFacts& facts, std::size_t i);

}  // namespace lint
