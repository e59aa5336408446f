#pragma once
// `seedgate lint`'s outputs: text for terminals, SARIF 2.1.0 for code
// scanning, JUnit XML, and GitHub Actions workflow commands (annotations).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lint/lint.hpp"

namespace lint {

// `path:line:col: severity: message [rule-id]` per finding, then a summary line.
std::string format_text(const LintReport& report);

// One SARIF run: tool.driver with every enabled rule (severity as configured,
// helpUri at its section of docs/lint-rules.md), one result per finding.
// Paths under `root` (the scan root: the policy's folder or the working
// directory) are URIs relative to %SRCROOT%, which originalUriBaseIds maps to
// `root` as a file:// URI; a path outside it is an absolute file:// URI.
// partialFingerprints["seedgateFindingHash/v2"] is the finding's fingerprint:
// rule and normalised line text, not the path.
std::string format_sarif(const LintReport& report, const LintConfig& config, std::string_view version,
                         const std::filesystem::path& root);

// Where the rules' documentation and the README are published: the
// repository (SEEDGATE_REPOSITORY_URL at build time) at the release's tag.
std::string rule_help_uri(std::string_view rule_id, std::string_view version);
std::string readme_uri(std::string_view version);

// docs/lint-rules.md: every rule with its default severity, languages,
// summary and help, one `## <rule-id>` heading (and anchor) per rule.
std::string format_rules_markdown();

// One testcase per enabled rule; each finding at or above the failing
// severity is a <failure>, the rest go to <system-out>.
std::string format_junit(const LintReport& report, const LintConfig& config);

// `::error file=...,line=...,col=...,title=...::message` per finding.
std::string format_github(const LintReport& report);
// GitLab Code Quality (a JSON array of issues with check_name, description,
// severity, fingerprint and location), for artifacts:reports:codequality.
std::string format_codequality(const LintReport& report);

// The rules, their default severities and summaries (`--list-rules`).
std::string format_rule_list(const LintConfig& config);

// The severity a rule runs at under `config`, or nullopt where it is off.
std::optional<Severity> effective_severity(const RuleInfo& rule, const LintConfig& config);

}  // namespace lint
