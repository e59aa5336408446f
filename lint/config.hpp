#pragma once
// The [lint] table of a policy: what `seedgate lint` scans and how it judges.
// The linter owns its table; the policy loader hands it the node, and
// `seedgate lint` reads just this table, so it works with a policy whose other
// tables are unfinished.
#include <filesystem>
#include <string>
#include <string_view>

#include "lint/lint.hpp"
#include "util/result.hpp"
#include "util/toml_reader.hpp"

namespace lint {

// [lint]: paths, exclude, entry_points, fail_on, libtorch_version, [lint.rules].
void parse_lint_table(const util::TomlReader& reader, const toml::node& node, LintConfig& config);

// Only the [lint] table (and the policy's TOML syntax).
util::Result<LintConfig> parse_lint_config(std::string_view text, const std::string& display_path);
util::Result<LintConfig> load_lint_config(const std::filesystem::path& path);

}  // namespace lint
