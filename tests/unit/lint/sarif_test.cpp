// SARIF as GitHub code scanning reads it: locations relative to %SRCROOT%
// (originalUriBaseIds), fingerprints that survive moves and re-indentation,
// a helpUri per rule at its section of docs/lint-rules.md (generated from the
// rule table), and a document valid against the OASIS SARIF 2.1.0 schema.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "lint/lint.hpp"
#include "lint/report.hpp"
#include "util/atomic_file.hpp"

namespace lint {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

LintReport lint_files(const std::vector<std::pair<std::string, std::string>>& sources, const LintConfig& config = {}) {
  std::vector<SourceFile> files;
  files.reserve(sources.size());
  for (const auto& [path, text] : sources) files.push_back(make_source(path, *language_of(path), text));
  auto report = lint_sources(files, config);
  EXPECT_TRUE(report) << report.error();
  return report ? *report : LintReport{};
}

json sarif_of(const LintReport& report, const fs::path& root) {
  return json::parse(format_sarif(report, LintConfig{}, "0.1.0", root));
}

const json& artifact_of(const json& result) {
  return result["locations"][0]["physicalLocation"]["artifactLocation"];
}

TEST(LintSarif, LocationsAreRelativeToSrcrootWhichMapsToTheScanRoot) {
  LintReport r = lint_files({{"src/my train.cpp", "int a = rand();\n"}});
  ASSERT_EQ(r.findings.size(), 1u);
  json sarif = sarif_of(r, "/home/ci/work/repo");
  const json& run = sarif["runs"][0];
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///home/ci/work/repo/");
  EXPECT_EQ(artifact_of(run["results"][0]), json({{"uri", "src/my%20train.cpp"}, {"uriBaseId", "%SRCROOT%"}}));
  // A root given with a trailing slash, or with '.' and '..' parts, is the same root.
  EXPECT_EQ(sarif_of(r, "/home/ci/work/repo/")["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///home/ci/work/repo/");
  EXPECT_EQ(sarif_of(r, "/home/ci/./work/x/../repo")["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///home/ci/work/repo/");
  EXPECT_EQ(sarif_of(r, "/a dir/")["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///a%20dir/");
}

// A file outside the scan root keeps an absolute path: an absolute file://
// URI without a base, never a path posing as relative to %SRCROOT%.
TEST(LintSarif, AFileOutsideTheRootIsAnAbsoluteFileUri) {
  LintReport r = lint_files({{"/opt/other/noise.cpp", "int a = rand();\n"}});
  ASSERT_EQ(r.findings.size(), 1u);
  json sarif = sarif_of(r, "/home/ci/repo");
  EXPECT_EQ(artifact_of(sarif["runs"][0]["results"][0]), json({{"uri", "file:///opt/other/noise.cpp"}}));
}

// A path that reaches the root through a symlink (a checkout under /tmp on
// macOS, a linked workspace) is still inside it: the working folder is the
// real path, the path given is not.
TEST(LintSarif, APathThroughASymlinkIsStillRelativeToTheRoot) {
  fs::path dir = fs::temp_directory_path() / ("seedgate-sarif-link-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "real" / "src");
  ASSERT_TRUE(util::write_file_atomic(dir / "real" / "src" / "a.cpp", "int a = rand();\n"));
  fs::create_directory_symlink(dir / "real", dir / "link");
  auto files = read_sources(dir / "real", {(dir / "link" / "src").string()}, {});
  ASSERT_TRUE(files) << files.error();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, "src/a.cpp");
  // And the other way round: the root named through the link, the file by its real path.
  auto reverse = read_sources(dir / "link", {(dir / "real" / "src" / "a.cpp").string()}, {});
  ASSERT_TRUE(reverse) << reverse.error();
  ASSERT_EQ(reverse->size(), 1u);
  EXPECT_EQ((*reverse)[0].path, "src/a.cpp");
  // A file that is elsewhere stays absolute.
  fs::create_directories(dir / "other");
  ASSERT_TRUE(util::write_file_atomic(dir / "other" / "b.cpp", "int b = rand();\n"));
  auto outside = read_sources(dir / "link", {(dir / "other" / "b.cpp").string()}, {});
  ASSERT_TRUE(outside) << outside.error();
  ASSERT_EQ(outside->size(), 1u);
  EXPECT_EQ((*outside)[0].path, (dir / "other" / "b.cpp").generic_string());
  fs::remove_all(dir);
}

TEST(LintSarif, FingerprintsSurviveMovesAndReindentation) {
  LintReport before = lint_files({{"src/train.cpp", "int main() {\n  int a = rand();\n}\n"}});
  LintReport after =
      lint_files({{"lib/moved/renamed.cpp", "// moved and re-indented\nint main()\n{\n\tint   a =  rand();  \n}\n"}});
  ASSERT_EQ(before.findings.size(), 1u);
  ASSERT_EQ(after.findings.size(), 1u);
  EXPECT_EQ(before.findings[0].fingerprint, after.findings[0].fingerprint);
  json a = sarif_of(before, "/repo")["runs"][0]["results"][0]["partialFingerprints"];
  json b = sarif_of(after, "/elsewhere")["runs"][0]["results"][0]["partialFingerprints"];
  EXPECT_EQ(a, b);
  ASSERT_TRUE(a["seedgateFindingHash/v2"].is_string());
  EXPECT_EQ(a["seedgateFindingHash/v2"], before.findings[0].fingerprint);

  // Other text on the line: another fingerprint.
  LintReport other_text = lint_files({{"src/train.cpp", "int main() {\n  int b = rand();\n}\n"}});
  ASSERT_EQ(other_text.findings.size(), 1u);
  EXPECT_NE(before.findings[0].fingerprint, other_text.findings[0].fingerprint);
  // Spaces inside a token matter ("ra nd" is another line), only their amount does not.
  LintReport split = lint_files({{"src/train.cpp", "int main() {\n  int a= rand();\n}\n"}});
  ASSERT_EQ(split.findings.size(), 1u);
  EXPECT_NE(before.findings[0].fingerprint, split.findings[0].fingerprint);
}

TEST(LintSarif, FingerprintsTellRulesAndRepeatsApart) {
  // Two rules on one line: two fingerprints.
  LintReport r =
      lint_files({{"src/main.c", "#include <stdlib.h>\n#include <time.h>\nvoid f(void) { srand(time(0)); }\n"}});
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_NE(r.findings[0].rule, r.findings[1].rule);
  EXPECT_EQ(r.findings[0].line, r.findings[1].line);
  EXPECT_NE(r.findings[0].fingerprint, r.findings[1].fingerprint);
  // The same line in two files (the path is not in the fingerprint): each
  // still has its own, so code scanning keeps both alerts.
  LintReport two = lint_files({{"a.cpp", "int a = rand();\n"}, {"b.cpp", "int a = rand();\n"}});
  ASSERT_EQ(two.findings.size(), 2u);
  EXPECT_NE(two.findings[0].fingerprint, two.findings[1].fingerprint);
}

TEST(LintSarif, EveryRuleHasAHelpUriAtItsSectionOfTheRulesPage) {
  json sarif = sarif_of(LintReport{}, "/repo");
  const json& driver = sarif["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["informationUri"], readme_uri("0.1.0"));
  EXPECT_TRUE(driver["informationUri"].get<std::string>().starts_with("https://"));
  EXPECT_TRUE(driver["informationUri"].get<std::string>().ends_with("/blob/v0.1.0/README.md"));
  ASSERT_EQ(driver["rules"].size(), all_rules().size());
  std::string page = format_rules_markdown();
  for (const json& rule : driver["rules"]) {
    std::string id = rule["id"];
    std::string uri = rule["helpUri"];
    EXPECT_EQ(uri, rule_help_uri(id, "0.1.0"));
    EXPECT_TRUE(uri.starts_with("https://")) << uri;  // SARIF's helpUri is an absolute URI
    EXPECT_TRUE(uri.ends_with("/blob/v0.1.0/docs/lint-rules.md#" + id)) << uri;
    // The anchor GitHub gives "## <id>" is the id itself: lower case, digits and '-' only.
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"), std::string::npos) << id;
    EXPECT_NE(page.find("\n## " + id + "\n"), std::string::npos) << id << " has no section";
    EXPECT_NE(page.find("(#" + id + ")"), std::string::npos) << id << " is not in the table";
  }
}

// docs/lint-rules.md is the rule table as Markdown; a rule added, renamed or
// reworded without regenerating it fails here.
TEST(LintRulesDoc, TheCommittedPageMatchesTheRuleTable) {
  fs::path path = fs::path(DOCS_DIR) / "lint-rules.md";
  std::string generated = format_rules_markdown();
  if (const char* approve = std::getenv("SEEDGATE_APPROVE"); approve && std::string(approve) == "1") {
    ASSERT_TRUE(util::write_file_atomic(path, generated));
    return;
  }
  auto committed = util::read_file(path);
  ASSERT_TRUE(committed) << committed.error();
  EXPECT_EQ(*committed, generated) << path.string() << " is out of date with lint/rules.cpp; regenerate it with "
                                   << "SEEDGATE_APPROVE=1 build/tests/lint_tests --gtest_filter='LintRulesDoc.*'";
}

TEST(LintRulesDoc, TableCellsEscapeTheirSeparators) {
  std::string page = format_rules_markdown();
  std::size_t rows = 0;
  for (std::size_t at = page.find("\n| [`"); at != std::string::npos; at = page.find("\n| [`", at + 1)) {
    std::size_t end = page.find('\n', at + 1);
    std::string row = page.substr(at + 1, end - at - 1);
    // Five unescaped '|': four cells.
    std::size_t bars = 0;
    for (std::size_t i = 0; i < row.size(); ++i) bars += row[i] == '|' && (i == 0 || row[i - 1] != '\\');
    EXPECT_EQ(bars, 5u) << row;
    rows += 1;
  }
  EXPECT_EQ(rows, all_rules().size());
}

// The rules' prose renders as written: `<random>` is not an HTML tag and
// `__getitem__` not bold text.
TEST(LintRulesDoc, ProseIsEscapedForMarkdown) {
  std::string page = format_rules_markdown();
  std::string sections = page.substr(page.find("\n## "));
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (std::string_view("`*_<>[]|").find(sections[i]) == std::string_view::npos) continue;
    EXPECT_EQ(sections[i - 1], '\\') << "unescaped '" << sections[i] << "' in: " << sections.substr(i - 40, 80);
  }
  EXPECT_NE(sections.find("Dataset.\\_\\_getitem\\_\\_"), std::string::npos);
  EXPECT_NE(sections.find("a \\<random\\> engine"), std::string::npos);
  // The SARIF help's Markdown is escaped the same way.
  json sarif = sarif_of(LintReport{}, "/repo");
  for (const json& rule : sarif["runs"][0]["tool"]["driver"]["rules"]) {
    if (rule["id"] != "cpp-rand") continue;
    EXPECT_NE(rule["help"]["markdown"].get<std::string>().find("a \\<random\\> engine"), std::string::npos);
    EXPECT_NE(rule["help"]["text"].get<std::string>().find("a <random> engine"), std::string::npos);
  }
}

// Runs the SARIF 2.1.0 schema over a document with Python's jsonschema
// (Debian: python3-jsonschema); returns the validator's exit status.
int validate(const std::string& document, const std::string& name) {
  fs::path path = fs::temp_directory_path() / name;
  EXPECT_TRUE(util::write_file_atomic(path, document));
  std::string command = std::string("/usr/bin/python3 -c '") +
                        "import json, sys, jsonschema\n"
                        "schema = json.load(open(sys.argv[1]))\n"
                        "errors = list(jsonschema.Draft4Validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n"
                        "for e in errors: print(\"/\".join(map(str, e.absolute_path)), e.message[:300])\n"
                        "sys.exit(1 if errors else 0)' " +
                        SARIF_SCHEMA + " " + path.string() + " 2>&1";
  int status = std::system(command.c_str());
  fs::remove(path);
  return status;
}

bool have_validator() {
  return std::system("/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
}

TEST(LintSarif, ValidAgainstTheSarif210Schema) {
  if (!have_validator()) GTEST_SKIP() << "python3-jsonschema not installed: apt-get install python3-jsonschema";
  // Every rule, a file outside the root, source that is not UTF-8, and the
  // versions judged against.
  LintReport r = lint_files({{"src/a b.cpp", "#include <torch/torch.h>\nint a = rand();  // \xab\n"},
                             {"/opt/x/train.py", "import random\nx = random.random()\n"}});
  ASSERT_GE(r.findings.size(), 2u);
  std::string document = format_sarif(r, LintConfig{}, "0.1.0", "/home/ci/repo");
  EXPECT_EQ(validate(document, "seedgate-lint-valid.sarif"), 0) << document;

  // The validator does reject: a level SARIF does not have.
  json broken = json::parse(document);
  broken["runs"][0]["results"][0]["level"] = "fatal";
  EXPECT_NE(validate(broken.dump(), "seedgate-lint-invalid.sarif"), 0);
}

}  // namespace
}  // namespace lint
