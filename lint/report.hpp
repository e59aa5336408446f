#pragma once
// `seedgate lint`'s outputs: text for terminals, SARIF 2.1.0 for code
// scanning, JUnit XML, and GitHub Actions workflow commands (annotations).
#include <string>
#include <string_view>

#include "lint/lint.hpp"

namespace lint {

// `path:line:col: severity: message [rule-id]` per finding, then a summary line.
std::string format_text(const LintReport& report);

// One SARIF run: tool.driver with every enabled rule (severity as configured),
// one result per finding with a repository-relative location and a
// partialFingerprints entry that survives unrelated edits.
std::string format_sarif(const LintReport& report, const LintConfig& config, std::string_view version);

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
