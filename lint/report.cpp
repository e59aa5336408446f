#include "lint/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "util/strings.hpp"
#include "util/xml_writer.hpp"

namespace lint {
namespace {

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// A relative URI reference for a '/'-separated path: unreserved characters
// and '/' as they are, everything else percent-encoded.
std::string uri_of(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// Where the rules' page and the README are published; a fork or a package
// sets SEEDGATE_REPOSITORY_URL at build time.
#ifndef SEEDGATE_REPOSITORY_URL
#define SEEDGATE_REPOSITORY_URL "https://github.com/seedgate/seedgate"
#endif
constexpr std::string_view kRepositoryUrl = SEEDGATE_REPOSITORY_URL;

// An absolute file:// URI for an absolute '/'-separated path.
std::string file_uri(std::string_view path) {
  return "file://" + uri_of(path);
}

// Plain text as Markdown that renders as written: the characters that would
// start emphasis, code, links, HTML tags or table cells are backslash-escaped,
// a newline is a space (one paragraph, one table row).
std::string markdown_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_[]<>|#").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// GitHub workflow commands: data escapes %, CR, LF; properties also : and ,.
std::string_view github_command(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::note:
      return "notice";
  }
  return "error";
}

bool fails(const LintReport& report, const Finding& f) {
  return report.fail_on && static_cast<int>(f.severity) >= static_cast<int>(*report.fail_on);
}

std::string finding_line(const Finding& f) {
  return fmt::format("{}:{}:{}: {}: {} [{}]", f.path, f.line, f.column, severity_name(f.severity), f.message, f.rule);
}

}  // namespace

std::optional<Severity> effective_severity(const RuleInfo& rule, const LintConfig& config) {
  auto it = config.rules.find(rule.id);
  return it == config.rules.end() ? std::optional(rule.severity) : it->second;
}

std::string format_text(const LintReport& report) {
  std::string out;
  std::size_t counts[3] = {0, 0, 0};
  for (const Finding& f : report.findings) {
    out += finding_line(f);
    out += '\n';
    counts[static_cast<int>(f.severity)] += 1;
  }
  if (!report.versions.empty()) {
    std::vector<std::string> parts;
    for (const AssumedVersion& v : report.versions) {
      parts.push_back(v.version.empty() ? fmt::format("{} (none set or installed: the newest release)", v.framework)
                                        : fmt::format("{} {} ({})", v.framework, v.version, v.source));
    }
    out += fmt::format("judged against {}\n", util::join(parts, ", "));
  }
  out += fmt::format("{} ({}, {}, {}) in {}, {}", plural(report.findings.size(), "finding"), plural(counts[2], "error"),
                     plural(counts[1], "warning"), plural(counts[0], "note"), plural(report.files, "file"),
                     plural(report.lines, "line"));
  if (report.suppressed > 0) out += fmt::format("; {} suppressed", report.suppressed);
  if (!report.fail_on) {
    out += "; findings do not fail the build (fail_on = \"never\")";
  } else {
    out += fmt::format("; {} at or above {}", report.failed() ? "failed:" : "passed: none",
                       severity_name(*report.fail_on));
  }
  out += '\n';
  return out;
}

std::string rule_help_uri(std::string_view rule_id, std::string_view version) {
  return fmt::format("{}/blob/v{}/docs/lint-rules.md#{}", kRepositoryUrl, version, rule_id);
}

std::string readme_uri(std::string_view version) {
  return fmt::format("{}/blob/v{}/README.md", kRepositoryUrl, version);
}

std::string format_sarif(const LintReport& report, const LintConfig& config, std::string_view version,
                         const std::filesystem::path& root) {
  using nlohmann::json;
  json rules = json::array();
  std::map<std::string, std::size_t, std::less<>> rule_index;
  for (const RuleInfo& r : all_rules()) {
    auto severity = effective_severity(r, config);
    if (!severity) continue;
    rule_index.emplace(r.id, rules.size());
    rules.push_back({{"id", r.id},
                     {"shortDescription", {{"text", r.summary}}},
                     {"fullDescription", {{"text", r.help}}},
                     {"help",
                      {{"text", r.help},
                       {"markdown", fmt::format("**{}**\n\n{}", markdown_text(r.summary), markdown_text(r.help))}}},
                     {"helpUri", rule_help_uri(r.id, version)},
                     // SARIF's levels are named as seedgate's severities.
                     {"defaultConfiguration", {{"level", severity_name(*severity)}}},
                     {"properties", {{"tags", {"reproducibility"}}, {"languages", r.languages}}}});
  }
  json results = json::array();
  for (const Finding& f : report.findings) {
    // Findings' paths are relative to the scan root unless the file lies outside it.
    json artifact = std::filesystem::path(f.path).is_absolute()
                        ? json{{"uri", file_uri(f.path)}}
                        : json{{"uri", uri_of(f.path)}, {"uriBaseId", "%SRCROOT%"}};
    json result = {
        {"ruleId", f.rule},
        {"level", severity_name(f.severity)},
        {"message", {{"text", f.message}}},
        {"locations",
         {{{"physicalLocation",
            {{"artifactLocation", artifact}, {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}}},
        // GitHub computes primaryLocationLineHash itself; this key is seedgate's own.
        {"partialFingerprints", {{"seedgateFindingHash/v2", f.fingerprint}}}};
    if (auto it = rule_index.find(f.rule); it != rule_index.end()) result["ruleIndex"] = it->second;
    results.push_back(std::move(result));
  }
  // The framework versions the rules judged against (version null: none set
  // or installed, judged as the newest release).
  json versions = json::object();
  for (const AssumedVersion& v : report.versions) {
    versions[v.framework] = {{"version", v.version.empty() ? json(nullptr) : json(v.version)}, {"source", v.source}};
  }
  std::string root_uri = file_uri(std::filesystem::absolute(root).lexically_normal().generic_string());
  if (!root_uri.ends_with('/')) root_uri += '/';
  json sarif = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                {"version", "2.1.0"},
                {"runs",
                 {{{"tool",
                    {{"driver",
                      {{"name", "seedgate"},
                       {"semanticVersion", version},
                       {"version", version},
                       {"informationUri", readme_uri(version)},
                       {"rules", rules}}}}},
                   {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", root_uri}}}}},
                   {"columnKind", "utf16CodeUnits"},
                   {"properties", {{"assumedVersions", versions}}},
                   {"results", results}}}}};
  // Source text need not be UTF-8: invalid bytes become U+FFFD, not an exception.
  return sarif.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string format_rules_markdown() {
  std::string out =
      "# seedgate lint rules\n\n"
      "<!-- Generated from the rule table in lint/rules.cpp by lint::format_rules_markdown(); do not edit by hand.\n"
      "     Regenerate: SEEDGATE_APPROVE=1 build/tests/lint_tests --gtest_filter='LintRulesDoc.*' -->\n\n"
      "Every rule `seedgate lint` runs, with its default severity (a policy's `[lint.rules]` table changes it or "
      "turns the rule off: `rule-id = \"off\"`). Each rule has its own section, whose anchor is the rule's id; the "
      "SARIF report's `helpUri` for a rule points there.\n\n"
      "| Rule | Default severity | Languages | Summary |\n"
      "| --- | --- | --- | --- |\n";
  for (const RuleInfo& r : all_rules()) {
    out += fmt::format("| [`{}`](#{}) | {} | {} | {} |\n", r.id, r.id, severity_name(r.severity),
                       markdown_text(r.languages), markdown_text(r.summary));
  }
  for (const RuleInfo& r : all_rules()) {
    out +=
        fmt::format("\n## {}\n\nDefault severity: {}. Languages: {}.\n\n{}.\n\n{}\n", r.id, severity_name(r.severity),
                    markdown_text(r.languages), markdown_text(r.summary), markdown_text(r.help));
  }
  return out;
}

// One test case per finding, placed with `file` and `line`: annotation
// actions place a test case, and Jenkins and GitLab read one <failure> per
// test case, so findings folded into one case would lose all but the first.
// A rule without findings is one passing case, so the suite lists every rule
// judged. Findings below `fail_on` pass, their text in <system-out>.
std::string format_junit(const LintReport& report, const LintConfig& config) {
  std::map<std::string, std::vector<const Finding*>, std::less<>> by_rule;
  for (const Finding& f : report.findings) by_rule[f.rule].push_back(&f);
  std::vector<const RuleInfo*> enabled;
  std::size_t tests = 0, failures = 0;
  for (const RuleInfo& r : all_rules()) {
    if (!effective_severity(r, config)) continue;
    enabled.push_back(&r);
    auto it = by_rule.find(r.id);
    if (it == by_rule.end()) {
      ++tests;
      continue;
    }
    tests += it->second.size();
    failures +=
        std::count_if(it->second.begin(), it->second.end(), [&](const Finding* f) { return fails(report, *f); });
  }
  util::XmlWriter xml;
  {
    auto root = xml.element("testsuites", {{"name", "seedgate lint"},
                                           {"tests", std::to_string(tests)},
                                           {"failures", std::to_string(failures)},
                                           {"errors", "0"},
                                           {"time", "0.000"}});
    auto suite = xml.element("testsuite", {{"name", "seedgate.lint"},
                                           {"tests", std::to_string(tests)},
                                           {"failures", std::to_string(failures)},
                                           {"errors", "0"},
                                           {"skipped", "0"},
                                           {"time", "0.000"}});
    {
      auto properties = xml.element("properties");
      xml.leaf("property", {{"name", "files"}, {"value", std::to_string(report.files)}});
      xml.leaf("property", {{"name", "lines"}, {"value", std::to_string(report.lines)}});
      xml.leaf("property", {{"name", "suppressed"}, {"value", std::to_string(report.suppressed)}});
      xml.leaf("property", {{"name", "fail_on"},
                            {"value", report.fail_on ? std::string(severity_name(*report.fail_on)) : "never"}});
    }
    for (const RuleInfo* r : enabled) {
      std::string classname = fmt::format("seedgate.lint.{}", r->id);
      auto it = by_rule.find(r->id);
      if (it == by_rule.end()) {
        xml.leaf("testcase", {{"name", std::string(r->id)}, {"classname", classname}, {"time", "0.000"}});
        continue;
      }
      for (const Finding* f : it->second) {
        auto testcase =
            xml.element("testcase", {{"name", fmt::format("{} {}:{}:{}", r->id, f->path, f->line, f->column)},
                                     {"classname", classname},
                                     {"time", "0.000"},
                                     {"file", f->path},
                                     {"line", std::to_string(f->line)}});
        if (fails(report, *f)) {
          xml.leaf("failure",
                   {{"type", std::string(severity_name(f->severity))},
                    {"message", fmt::format("{}:{}:{}: {}", f->path, f->line, f->column, f->message)}},
                   finding_line(*f) + "\n\n" + std::string(r->help));
        } else {
          xml.leaf("system-out", {}, finding_line(*f) + "\n");
        }
      }
    }
  }
  return xml.str();
}

std::string format_github(const LintReport& report) {
  std::string out;
  for (const Finding& f : report.findings) {
    out += fmt::format("::{} file={},line={},col={},title={}::{}\n", github_command(f.severity),
                       util::github_escape(f.path, true), f.line, f.column,
                       util::github_escape(fmt::format("seedgate lint: {}", f.rule), true),
                       util::github_escape(f.message, false));
  }
  return out;
}

std::string format_codequality(const LintReport& report) {
  using nlohmann::json;
  json issues = json::array();
  for (const Finding& f : report.findings) {
    // GitLab's severities: info, minor, major, critical, blocker.
    std::string_view severity = f.severity == Severity::error     ? "critical"
                                : f.severity == Severity::warning ? "major"
                                                                  : "info";
    issues.push_back({{"type", "issue"},
                      {"check_name", f.rule},
                      {"description", fmt::format("{} [{}]", f.message, f.rule)},
                      {"categories", {"Bug Risk"}},
                      {"severity", severity},
                      {"fingerprint", f.fingerprint},
                      {"location", {{"path", f.path}, {"lines", {{"begin", f.line}}}}}});
  }
  return issues.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string format_rule_list(const LintConfig& config) {
  std::string out;
  for (const RuleInfo& r : all_rules()) {
    auto severity = effective_severity(r, config);
    out += fmt::format("{:<30} {:<8} {:<12} {}\n", r.id, severity ? severity_name(*severity) : "off", r.languages,
                       r.summary);
  }
  return out;
}

}  // namespace lint
