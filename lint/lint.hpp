#pragma once
// `seedgate lint`: reproducibility hazards found in C++ and Python sources
// before anything runs. Files are tokenized (lint/tokenizer.hpp), facts are
// gathered per file (seeds, imports, includes), project-wide questions ("is
// torch seeded anywhere reachable from the entry points?") are answered
// over the include/import graph, and then each rule reports findings.
// Suppressions (`// seedgate-lint: ignore[rule-id]`, or `#` in Python, on the
// line or alone on the line before) and the policy's [lint] settings apply
// last. Pure over its inputs: reading files is `read_sources`' job.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lint/rules.hpp"
#include "lint/tokenizer.hpp"
#include "util/result.hpp"

namespace lint {

// The policy's [lint] table.
struct LintConfig {
  std::vector<std::string> paths{"."};                  // files or folders, relative to the root
  std::vector<std::string> exclude;                     // globs: "build", "third_party/**", "*_pb2.py"
  std::vector<std::string> entry_points;                // where seeds must be reachable from; empty: the whole project
  std::optional<Severity> fail_on = Severity::warning;  // nullopt: findings never fail
  // The versions the rules judge against ("2.1", "1.7.4"); empty: unknown,
  // judged as the newest release. Set by [lint] or, where it names none, from
  // the installed headers (assume_installed_versions in lint/config.hpp).
  std::string torch_version;  // which ops have a deterministic kernel
  std::string torch_version_source;
  std::string xgboost_version;  // which parameters are deprecated or removed
  std::string xgboost_version_source;
  std::map<std::string, std::optional<Severity>, std::less<>> rules;  // nullopt: off
};

struct SourceFile {
  std::string path;  // as reported: relative to the root, '/' separated
  Language language;
  std::unique_ptr<const std::string> text;  // owned, so tokens' views survive moves
  Tokens lexed;
};

// Tokenizes `text`, which the file then owns.
SourceFile make_source(std::string path, Language language, std::string text);

// The language of a path by its extension, if seedgate lints it.
std::optional<Language> language_of(const std::filesystem::path& path);

// Does `pattern` match the root-relative `path`? `*` and `?` stay within a
// path component, `**` crosses them; a pattern without '/' matches any
// component (or run of components) of the path, as in .gitignore.
bool glob_match(std::string_view pattern, std::string_view path);

// The files under `paths` (relative to `root`, or absolute), in path order,
// skipping excluded ones and hidden folders. Fails on a path that does not exist
// or a file that cannot be read.
util::Result<std::vector<SourceFile>> read_sources(const std::filesystem::path& root,
                                                   const std::vector<std::string>& paths,
                                                   const std::vector<std::string>& exclude);

struct Finding {
  std::string rule;
  Severity severity;
  std::string path;
  std::uint32_t line;
  std::uint32_t column;
  std::string message;
  std::string fingerprint;  // stable across moves and re-indentation: rule, the line's text (spaces collapsed), repeat
};

// A framework version the rules judged against, for the project's frameworks.
struct AssumedVersion {
  std::string framework;  // "XGBoost", "torch"
  std::string version;    // empty: none set or installed, judged as the newest release
  std::string source;     // "[lint] xgboost_version", "installed: /usr/include/xgboost/version_config.h"
};

struct LintReport {
  std::vector<Finding> findings;  // sorted by path, line, column, rule
  std::vector<AssumedVersion> versions;
  std::size_t files = 0;
  std::size_t lines = 0;
  std::size_t suppressed = 0;
  std::optional<Severity> fail_on;
  bool failed() const;  // a finding at or above fail_on
};

// Fails where an entry point names no linted file.
util::Result<LintReport> lint_sources(const std::vector<SourceFile>& files, const LintConfig& config);

}  // namespace lint
