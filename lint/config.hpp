#pragma once
// The [lint] table of a policy: what `seedgate lint` scans and how it judges.
// The linter owns its table; the policy loader hands it the node, and
// `seedgate lint` reads just this table, so it works with a policy whose other
// tables are unfinished.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lint/lint.hpp"
#include "util/result.hpp"
#include "util/toml_reader.hpp"

namespace lint {

// [lint]: paths, exclude, entry_points, fail_on, torch_version (or its older
// name libtorch_version), xgboost_version, [lint.rules].
void parse_lint_table(const util::TomlReader& reader, const toml::node& node, LintConfig& config);

// Only the [lint] table (and the policy's TOML syntax).
util::Result<LintConfig> parse_lint_config(std::string_view text, const std::string& display_path);
util::Result<LintConfig> load_lint_config(const std::filesystem::path& path);

// Where installed headers are looked for: the folders of CPATH,
// CPLUS_INCLUDE_PATH and C_INCLUDE_PATH (as the compilers read them), each
// CMAKE_PREFIX_PATH entry's include/ (an unpacked LibTorch), then
// /usr/local/include and /usr/include.
std::vector<std::filesystem::path> default_include_dirs();

// Fills the versions [lint] left unset from the first installed header found
// under `include_dirs`: XGBOOST_VER_MAJOR/MINOR/PATCH in
// xgboost/version_config.h, TORCH_VERSION_MAJOR/MINOR/PATCH in torch/version.h
// (or LibTorch's torch/csrc/api/include/torch/version.h). Unset and not
// found, a version stays empty and the rules judge against the newest release.
void assume_installed_versions(LintConfig& config, const std::vector<std::filesystem::path>& include_dirs);

}  // namespace lint
