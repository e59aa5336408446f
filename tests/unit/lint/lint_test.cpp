#include "lint/lint.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>

#include "lint/config.hpp"
#include "lint/report.hpp"
#include "tests/golden.hpp"
#include "util/atomic_file.hpp"

namespace lint {
namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = FIXTURES_DIR;

using Key = std::tuple<std::string, std::uint32_t, std::string>;  // path, line, rule

// The `expect[rule, ...]` markers in a fixture's comments.
std::set<Key> expectations(const std::vector<SourceFile>& files) {
  std::set<Key> out;
  static const std::regex kMarker(R"(expect\[([a-z0-9, -]+)\])");
  for (const SourceFile& f : files) {
    for (const Comment& c : f.lexed.comments) {
      std::string text(c.text);
      for (std::sregex_iterator m(text.begin(), text.end(), kMarker), end; m != end; ++m) {
        std::string list = (*m)[1];
        std::size_t start = 0;
        while (start < list.size()) {
          std::size_t comma = list.find(',', start);
          std::string id = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          id.erase(0, id.find_first_not_of(' '));
          out.emplace(f.path, c.line, id);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
    }
  }
  return out;
}

struct Linted {
  std::vector<SourceFile> files;
  LintReport report;
};

Linted lint_fixture(const std::string& name) {
  fs::path dir = kFixtures / name;
  LintConfig config;
  if (fs::exists(dir / "seedgate.toml")) {
    auto loaded = lint::load_lint_config(dir / "seedgate.toml");
    EXPECT_TRUE(loaded) << loaded.error();
    config = *loaded;
  }
  auto files = read_sources(dir, config.paths, config.exclude);
  EXPECT_TRUE(files) << files.error();
  auto report = lint_sources(*files, config);
  EXPECT_TRUE(report) << report.error();
  return {std::move(*files), std::move(*report)};
}

class FixtureTest : public testing::TestWithParam<std::string> {};

// Every marked line has exactly its findings, and no other line has any: the
// comments, strings, suppressions and seeds elsewhere in each fixture are the
// negative cases.
TEST_P(FixtureTest, FindingsAreExactlyTheMarkedOnes) {
  Linted linted = lint_fixture(GetParam());
  std::set<Key> expected = expectations(linted.files);
  std::set<Key> found;
  for (const Finding& f : linted.report.findings) found.emplace(f.path, f.line, f.rule);
  for (const Key& k : expected) {
    EXPECT_TRUE(found.contains(k)) << "missing " << std::get<2>(k) << " at " << std::get<0>(k) << ":" << std::get<1>(k);
  }
  for (const Finding& f : linted.report.findings) {
    EXPECT_TRUE(expected.contains({f.path, f.line, f.rule}))
        << "unexpected " << f.path << ":" << f.line << ":" << f.column << ": " << f.message << " [" << f.rule << "]";
  }
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> out;
  if (!fs::is_directory(kFixtures)) return out;
  for (const auto& entry : fs::directory_iterator(kFixtures))
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Lint, FixtureTest, testing::ValuesIn(fixture_names()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

// The exact text of every finding in every fixture (the messages, columns
// and summary lines the marker test does not read).
TEST(LintFixtures, TextOutputMatchesTheGoldenFile) {
  std::string all;
  for (const std::string& name : fixture_names()) all += "== " + name + "\n" + format_text(lint_fixture(name).report);
  ASSERT_FALSE(all.empty()) << "no fixtures under " << kFixtures;
  expect_golden("lint_fixtures.txt", all);
}

// Each rule fires in some fixture and is suppressed in some fixture.
TEST(LintRules, EveryRuleHasFiringAndSuppressedFixtures) {
  std::set<std::string> fired, suppressed;
  for (const std::string& name : fixture_names()) {
    Linted linted = lint_fixture(name);
    for (const Finding& f : linted.report.findings) fired.insert(f.rule);
    for (const SourceFile& file : linted.files) {
      for (const Comment& c : file.lexed.comments) {
        std::string text(c.text);
        std::size_t at = text.find("seedgate-lint: ignore[");
        if (at != std::string::npos) suppressed.insert(text.substr(at + 22, text.find(']', at) - at - 22));
      }
    }
  }
  for (const RuleInfo& r : all_rules()) {
    if (r.id == "unknown-suppression") continue;  // tested below
    EXPECT_TRUE(fired.contains(std::string(r.id))) << r.id << " never fires in a fixture";
    EXPECT_TRUE(suppressed.contains(std::string(r.id))) << r.id << " is never suppressed in a fixture";
    EXPECT_FALSE(r.help.empty());
    EXPECT_FALSE(r.summary.empty());
  }
}

LintReport lint_text(const std::string& path, const std::string& text, const LintConfig& config = {}) {
  std::vector<SourceFile> files;
  files.push_back(make_source(path, *language_of(path), text));
  return *lint_sources(files, config);
}

TEST(LintSuppressions, UnknownRuleIsReportedWithASuggestion) {
  LintReport r = lint_text("a.cpp", "int x = 0;  // seedgate-lint: ignore[cpp-rnd]\n");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "unknown-suppression");
  EXPECT_EQ(r.findings[0].message, "suppression names unknown rule 'cpp-rnd'; did you mean 'cpp-rand'?");
  EXPECT_EQ(r.findings[0].column, 13u);
  // Mentioned mid-comment, as documentation does, it is no suppression at all.
  EXPECT_TRUE(lint_text("a.cpp", "// write `// seedgate-lint: ignore[rule-id]`\nint x;\n").findings.empty());
}

TEST(LintSuppressions, TrailingCommentCoversItsLineOnly) {
  LintReport r = lint_text("a.cpp", "int a = rand();  // seedgate-lint: ignore[cpp-rand]\nint b = rand();\n");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].line, 2u);
  EXPECT_EQ(r.suppressed, 1u);
}

TEST(LintConfigTest, SeveritiesOffAndFailOn) {
  std::string text = "int a = rand();\n";
  LintConfig config;
  EXPECT_TRUE(lint_text("a.cpp", text, config).failed());
  config.rules["cpp-rand"] = Severity::note;
  LintReport noted = lint_text("a.cpp", text, config);
  ASSERT_EQ(noted.findings.size(), 1u);
  EXPECT_EQ(noted.findings[0].severity, Severity::note);
  EXPECT_FALSE(noted.failed());
  config.fail_on = Severity::note;
  EXPECT_TRUE(lint_text("a.cpp", text, config).failed());
  config.rules["cpp-rand"] = std::nullopt;
  EXPECT_TRUE(lint_text("a.cpp", text, config).findings.empty());
}

TEST(LintConfigTest, EntryPointMustBeALintedFile) {
  std::vector<SourceFile> files;
  files.push_back(make_source("train.py", Language::python, "import torch\n"));
  LintConfig config;
  config.entry_points = {"trian.py"};
  auto r = lint_sources(files, config);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "lint entry point 'trian.py' is not among the linted files");
}

TEST(LintConfigTest, PolicyTableMessages) {
  using lint::parse_lint_config;
  EXPECT_EQ(parse_lint_config("[lint]\npath = []\n", "p.toml").error(),
            "p.toml:2:1: unknown key 'path' in [lint]; did you mean 'paths'?");
  EXPECT_EQ(parse_lint_config("[lint.rules]\ncpp-rnd = \"off\"\n", "p.toml").error(),
            "p.toml:2:1: unknown lint rule 'cpp-rnd' in [lint.rules]; did you mean 'cpp-rand'?");
  EXPECT_EQ(parse_lint_config("[lint.rules]\ncpp-rand = \"warn\"\n", "p.toml").error(),
            "p.toml:2:12: 'cpp-rand' must be one of \"on\", \"off\", \"note\", \"warning\", \"error\", got \"warn\"");
  EXPECT_EQ(parse_lint_config("[lint]\nfail_on = \"errors\"\n", "p.toml").error(),
            "p.toml:2:11: 'fail_on' must be one of \"error\", \"warning\", \"note\", \"never\", got \"errors\"; did "
            "you mean \"error\"?");
  EXPECT_EQ(parse_lint_config("[lint]\nlibtorch_version = \"latest\"\n", "p.toml").error(),
            "p.toml:2:20: 'libtorch_version' must be a version such as \"2.1\", got \"latest\"");
  auto ok = parse_lint_config(
      "version = 1\n[lint]\npaths = [\"src\"]\nfail_on = \"never\"\nlibtorch_version = \"2.1.0+cu121\"\n"
      "[lint.rules]\ncpp-rand = \"off\"\ncpp-std-distribution = \"error\"\ntorch-no-seed = \"on\"\n",
      "p.toml");
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->paths, (std::vector<std::string>{"src"}));
  EXPECT_FALSE(ok->fail_on);
  EXPECT_FALSE(ok->rules.at("cpp-rand"));
  EXPECT_EQ(ok->rules.at("cpp-std-distribution"), Severity::error);
  EXPECT_EQ(ok->rules.at("torch-no-seed"), Severity::error);
}

TEST(LintOps, LibTorchVersionSaysWhetherADeterministicKernelExists) {
  std::string text =
      "#include <torch/torch.h>\nvoid f(torch::Tensor t, int seed) { torch::manual_seed(seed); t.histc(3); "
      "t.index_add_(0, t, t); }\n";
  LintConfig config;
  config.torch_version = "1.13";
  LintReport r = lint_text("a.cpp", text, config);
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].message,
            "histc accumulates with atomics on CUDA; deterministic algorithms are never enabled (LibTorch 1.13 has no "
            "deterministic CUDA kernel for it)");
  EXPECT_EQ(r.findings[1].message,
            "index_add_ accumulates with atomics on CUDA; deterministic algorithms are never enabled (LibTorch 1.13 "
            "has a deterministic CUDA kernel for it, since 1.11)");
  EXPECT_EQ(r.versions.size(), 1u);
  EXPECT_EQ(r.versions[0].framework, "torch");
  EXPECT_EQ(r.versions[0].version, "1.13");
  EXPECT_TRUE(version_at_least("2.1.0+cu121", "2.1"));
  EXPECT_FALSE(version_at_least("1.13", "2.1"));
  EXPECT_TRUE(version_at_least("1.13", "1.11"));
}

TEST(LintConfigTest, VersionKeys) {
  using lint::parse_lint_config;
  EXPECT_EQ(parse_lint_config("[lint]\nxgboost_version = \"1.x\"\n", "p.toml").error(),
            "p.toml:2:19: 'xgboost_version' must be a version such as \"1.7\", got \"1.x\"");
  EXPECT_EQ(parse_lint_config("[lint]\ntorch_version = \"new\"\n", "p.toml").error(),
            "p.toml:2:17: 'torch_version' must be a version such as \"2.1\", got \"new\"");
  EXPECT_EQ(parse_lint_config("[lint]\nxgboost_version = 1.7\n", "p.toml").error(),
            "p.toml:2:19: 'xgboost_version' must be a string, not a number");
  EXPECT_EQ(parse_lint_config("[lint]\ntorch_version = \"2.1\"\nlibtorch_version = \"2.1\"\n", "p.toml").error(),
            "p.toml:3:20: 'libtorch_version' is the older name of 'torch_version'; give only one of them");
  auto ok = parse_lint_config("[lint]\nxgboost_version = \"1.7.6\"\nlibtorch_version = \"2.1\"\n", "p.toml");
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->xgboost_version, "1.7.6");
  EXPECT_EQ(ok->xgboost_version_source, "[lint] xgboost_version");
  EXPECT_EQ(ok->torch_version, "2.1");
  EXPECT_EQ(ok->torch_version_source, "[lint] libtorch_version");
}

// The installed headers give the versions [lint] leaves unset; [lint] wins.
TEST(LintVersions, InstalledHeadersGiveTheDefault) {
  fs::path dir = fs::temp_directory_path() / "seedgate-lint-versions";
  fs::remove_all(dir);
  fs::create_directories(dir / "empty");
  fs::create_directories(dir / "a" / "xgboost");
  fs::create_directories(dir / "b" / "torch" / "csrc" / "api" / "include" / "torch");
  fs::create_directories(dir / "b" / "xgboost");
  ASSERT_TRUE(util::write_file_atomic(dir / "a" / "xgboost" / "version_config.h",
                                      "#ifndef X\n#define XGBOOST_VER_MAJOR 1\n#define XGBOOST_VER_MINOR 7\n"
                                      "#define XGBOOST_VER_PATCH 4\n#endif\n"));
  ASSERT_TRUE(util::write_file_atomic(dir / "b" / "xgboost" / "version_config.h",
                                      "#define XGBOOST_VER_MAJOR 3\n#define XGBOOST_VER_MINOR 1\n"));
  fs::path torch_header = dir / "b" / "torch" / "csrc" / "api" / "include" / "torch" / "version.h";
  ASSERT_TRUE(util::write_file_atomic(torch_header,
                                      "/// Indicates the major version of LibTorch.\n#define TORCH_VERSION_MAJOR 2\n"
                                      "#define TORCH_VERSION_MINOR 1\n#define TORCH_VERSION_PATCH 0\n"));
  LintConfig config;
  assume_installed_versions(config, {dir / "empty", dir / "a", dir / "b"});
  EXPECT_EQ(config.xgboost_version, "1.7.4");  // the first folder that has it
  EXPECT_EQ(config.xgboost_version_source, "installed: " + (dir / "a" / "xgboost" / "version_config.h").string());
  EXPECT_EQ(config.torch_version, "2.1.0");
  EXPECT_EQ(config.torch_version_source, "installed: " + torch_header.string());

  LintConfig set = *parse_lint_config("[lint]\nxgboost_version = \"2.0\"\n", "p.toml");
  assume_installed_versions(set, {dir / "b"});
  EXPECT_EQ(set.xgboost_version, "2.0");
  EXPECT_EQ(set.xgboost_version_source, "[lint] xgboost_version");
  EXPECT_EQ(set.torch_version, "2.1.0");

  // A header without the defines, or no header at all: the newest release.
  ASSERT_TRUE(util::write_file_atomic(dir / "a" / "xgboost" / "version_config.h", "#define XGBOOST_VER_MAJOR 1\n"));
  LintConfig unknown;
  assume_installed_versions(unknown, {dir / "empty", dir / "a"});
  EXPECT_EQ(unknown.xgboost_version, "");
  EXPECT_EQ(unknown.torch_version, "");
  fs::remove_all(dir);
}

TEST(LintVersions, XGBoostRulesFollowTheVersion) {
  std::string text = "import xgboost as xgb\nb = xgb.train({\"gpu_id\": 0, \"seed\": 1}, None)\n";
  auto messages = [&](const std::string& version) {
    LintConfig config;
    config.xgboost_version = version;
    config.xgboost_version_source = "[lint] xgboost_version";
    std::vector<std::string> out;
    for (const Finding& f : lint_text("t.py", text, config).findings) out.push_back(f.rule + ": " + f.message);
    return out;
  };
  EXPECT_EQ(messages("1.7"), (std::vector<std::string>{
                                 "xgboost-default-tree-method: tree_method is never set: XGBoost 1.7 picks exact or "
                                 "approx by the data's size, and 2.0 changed the default to hist"}));
  EXPECT_EQ(messages("2.1.3"),
            (std::vector<std::string>{
                "xgboost-default-tree-method: tree_method is never set: XGBoost 2.1.3 defaults to hist, but 1.7 and "
                "earlier chose exact or approx by the data's size",
                "xgboost-removed-param: 'gpu_id' is deprecated since XGBoost 2.0 and removed in 3.1 (judged against "
                "XGBoost 2.1.3); use device = \"cuda:N\""}));
  EXPECT_EQ(messages("3.1")[1],
            "xgboost-removed-param: 'gpu_id' was removed in XGBoost 3.1 (judged against XGBoost 3.1); use device = "
            "\"cuda:N\"");
  EXPECT_EQ(messages("")[1], "xgboost-removed-param: 'gpu_id' was removed in XGBoost 3.1; use device = \"cuda:N\"");
}

TEST(LintVersions, TextAndSarifSayWhichVersionsWereAssumed) {
  LintConfig config;
  config.xgboost_version = "1.7.4";
  config.xgboost_version_source = "installed: /usr/include/xgboost/version_config.h";
  LintReport r = lint_text("t.py", "import torch\nimport xgboost\n", config);
  std::string text = format_text(r);
  EXPECT_NE(text.find("\njudged against XGBoost 1.7.4 (installed: /usr/include/xgboost/version_config.h), torch "
                      "(none set or installed: the newest release)\n"),
            std::string::npos)
      << text;
  auto sarif = nlohmann::json::parse(format_sarif(r, config, "0.1.0", "/src"));
  const auto& versions = sarif["runs"][0]["properties"]["assumedVersions"];
  EXPECT_EQ(versions["XGBoost"]["version"], "1.7.4");
  EXPECT_EQ(versions["XGBoost"]["source"], "installed: /usr/include/xgboost/version_config.h");
  EXPECT_TRUE(versions["torch"]["version"].is_null());
  // A project without either framework says nothing of versions.
  EXPECT_EQ(format_text(lint_text("a.cpp", "int x;\n", config)).find("judged against"), std::string::npos);
}

// Each program is judged by what it reaches: a seeded script does not hide an
// unseeded one beside it, and a module both import is unseeded where one runs it.
TEST(LintEntryPoints, EachEntryPointIsJudgedOnItsOwn) {
  std::vector<SourceFile> files;
  files.push_back(
      make_source("a.py", Language::python,
                  "import torch\nimport util\nimport os\ntorch.manual_seed(int(os.environ['SEEDGATE_SEED']))\n"));
  files.push_back(make_source("b.py", Language::python, "import torch\nimport util\n"));
  files.push_back(make_source("util.py", Language::python, "import random\nx = random.random()\n"));
  auto r = lint_sources(files, {});
  ASSERT_TRUE(r) << r.error();
  std::vector<std::string> found;
  for (const Finding& f : r->findings)
    found.push_back(fmt::format("{}:{}: {} [{}]", f.path, f.line, f.message, f.rule));
  EXPECT_EQ(found, (std::vector<std::string>{
                       "b.py:1: torch is imported but torch.manual_seed or seed_everything is never called in b.py or "
                       "the files it imports [torch-no-seed]",
                       "util.py:2: random.random draws from the global generator, which nothing reachable seeds "
                       "[python-unseeded-rng]"}));
  // The policy's entry points choose: with only a.py, b.py is not a program.
  LintConfig config;
  config.entry_points = {"a.py"};
  auto only_a = lint_sources(files, config);
  ASSERT_TRUE(only_a);
  ASSERT_EQ(only_a->findings.size(), 1u);
  EXPECT_EQ(only_a->findings[0].rule, "python-unseeded-rng");
}

TEST(LintConstantSeed, FlaggedOnlyWhereTheConfiguredSeedCannotFlow) {
  auto rules = [](const std::string& path, const std::string& text) {
    std::vector<std::string> out;
    for (const Finding& f : lint_text(path, text).findings) out.push_back(fmt::format("{}:{}", f.line, f.rule));
    return out;
  };
  std::string fixed = "import torch\nimport numpy as np\ntorch.manual_seed(1)\nnp.random.seed(0)\n";
  EXPECT_EQ(rules("t.py", fixed), (std::vector<std::string>{"3:constant-seed", "4:constant-seed"}));
  EXPECT_EQ(lint_text("t.py", fixed).findings[0].message,
            "torch.manual_seed(1) fixes the seed, and nothing that t.py reaches reads SEEDGATE_SEED or a command-line "
            "seed: the sweep's seeds cannot reach the program");
  EXPECT_TRUE(rules("t.py", fixed + "import os\ns = os.environ.get('SEEDGATE_SEED')\n").empty());
  EXPECT_TRUE(rules("t.py", fixed + "import sys\nseed = int(sys.argv[1])\n").empty());
  EXPECT_TRUE(rules("t.py", "import click\n" + fixed).empty());
  EXPECT_TRUE(rules("t.py", "import torch\ntorch.manual_seed(seed)\nrandom_state = 0\n").empty());
  EXPECT_EQ(rules("t.cpp", "#include <torch/torch.h>\nint main() { torch::manual_seed(1); }\n"),
            (std::vector<std::string>{"2:constant-seed"}));
  EXPECT_TRUE(
      rules("t.cpp", "#include <torch/torch.h>\nint main(int argc, char** argv) { torch::manual_seed(1); }\n").empty());
  EXPECT_TRUE(rules("t.cpp",
                    "#include <seedgate/torch.hpp>\nint main() { auto s = seedgate::torch::configure(); "
                    "torch::manual_seed(1); }\n")
                  .empty());
}

// The table holds only names that take random_state in the installed
// scikit-learn (Debian's python3-sklearn), checked with inspect.signature.
TEST(LintSklearn, EveryTableEntryTakesRandomState) {
  if (std::system("/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "scikit-learn is not installed";
  std::string names;
  for (const RandomStateTaker& t : sklearn_random_state_takers()) names += std::string(t.name) + " ";
  fs::path script = fs::temp_directory_path() / "seedgate-lint-sklearn.py";
  ASSERT_TRUE(util::write_file_atomic(script, R"(import importlib, inspect, sys, warnings
warnings.filterwarnings("ignore")
modules = ["sklearn." + m for m in ("ensemble", "tree", "linear_model", "svm", "neural_network", "cluster",
           "mixture", "covariance", "decomposition", "manifold", "kernel_approximation", "random_projection",
           "model_selection", "multiclass", "inspection", "utils", "utils.extmath", "feature_selection", "datasets")]
modules = [importlib.import_module(m) for m in modules]
for name in sys.argv[1:]:
    found = [getattr(m, name) for m in modules if hasattr(m, name)]
    ok = any("random_state" in inspect.signature(f.__init__ if inspect.isclass(f) else f).parameters for f in found)
    if not ok:
        print(name)
)"));
  std::string command = "/usr/bin/python3 " + script.string() + " " + names;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_EQ(out, "") << "these take no random_state";
  fs::remove(script);
}

TEST(LintGlob, ComponentsFoldersAndDoubleStars) {
  EXPECT_TRUE(glob_match("build", "build/a.cpp"));
  EXPECT_TRUE(glob_match("build", "sub/build/a.cpp"));
  EXPECT_FALSE(glob_match("build", "rebuild/a.cpp"));
  EXPECT_TRUE(glob_match("*_pb2.py", "proto/x_pb2.py"));
  EXPECT_TRUE(glob_match("third_party/**", "third_party/a/b.cpp"));
  EXPECT_TRUE(glob_match("third_party", "third_party/a/b.cpp"));
  EXPECT_FALSE(glob_match("src/*.cpp", "src/a/b.cpp"));
  EXPECT_TRUE(glob_match("src/**/*.cpp", "src/a/b.cpp"));
  EXPECT_TRUE(glob_match("./src/a", "src/a/x.py"));
  EXPECT_FALSE(glob_match("src/a", "src/ab/x.py"));
}

TEST(LintSources, ReadsExcludesAndReportsMissingPaths) {
  fs::path dir = fs::temp_directory_path() / "seedgate-lint-sources";
  fs::remove_all(dir);
  fs::create_directories(dir / "src" / "gen");
  fs::create_directories(dir / ".git");
  ASSERT_TRUE(util::write_file_atomic(dir / "src" / "a.cpp", "int x;\n"));
  ASSERT_TRUE(util::write_file_atomic(dir / "src" / "gen" / "b.py", "x = 1\n"));
  ASSERT_TRUE(util::write_file_atomic(dir / "src" / "notes.txt", "rand()\n"));
  ASSERT_TRUE(util::write_file_atomic(dir / ".git" / "c.py", "x = 1\n"));
  ASSERT_TRUE(util::write_file_atomic(dir / "src" / "c.c", "int y;\n"));
  ASSERT_TRUE(util::write_file_atomic(dir / "src" / "c.h", "int z;\n"));
  auto files = read_sources(dir, {"."}, {});
  ASSERT_TRUE(files) << files.error();
  ASSERT_EQ(files->size(), 4u);
  EXPECT_EQ((*files)[0].path, "src/a.cpp");
  EXPECT_EQ((*files)[1].path, "src/c.c");
  EXPECT_EQ((*files)[1].language, Language::cpp);
  EXPECT_EQ((*files)[2].path, "src/c.h");
  EXPECT_EQ((*files)[3].path, "src/gen/b.py");
  auto excluded = read_sources(dir, {"src"}, {"gen"});
  ASSERT_TRUE(excluded);
  EXPECT_EQ(excluded->size(), 3u);
  auto one_c_file = read_sources(dir, {"src/c.c"}, {});
  ASSERT_TRUE(one_c_file) << one_c_file.error();
  EXPECT_EQ(one_c_file->size(), 1u);
  EXPECT_EQ(read_sources(dir, {"nope"}, {}).error(), "lint path 'nope' does not exist");
  EXPECT_EQ(read_sources(dir, {"src/notes.txt"}, {}).error(),
            "lint path 'src/notes.txt' is not a C, C++ or Python file");
  fs::remove_all(dir);
}

TEST(LintReports, TextLineFormat) {
  LintReport r = lint_text("src/a.cpp", "void f() {\n  int a = rand();\n}\n");
  EXPECT_EQ(format_text(r),
            "src/a.cpp:2:11: warning: 'rand()' uses the C library's global generator [cpp-rand]\n"
            "1 finding (0 errors, 1 warning, 0 notes) in 1 file, 3 lines; failed: at or above warning\n");
}

// Source that is not UTF-8 (found by fuzz_lint_cpp: the SARIF writer threw
// and seedgate died): invalid bytes are replaced, the report still parses.
TEST(LintReports, SarifOfSourceThatIsNotUtf8) {
  LintReport r = lint_text("src/a.cpp",
                           "int a = rand();  // seedgate-lint: ignore[cpp-r\xab"
                           "and]\n");
  ASSERT_FALSE(r.findings.empty());
  std::string text = format_sarif(r, LintConfig{}, "0.1.0", "/src");
  auto sarif = nlohmann::json::parse(text);
  EXPECT_EQ(sarif["runs"][0]["results"].size(), r.findings.size()) << text;
}

TEST(LintReports, SarifCarriesWhatCodeScanningReads) {
  LintConfig config;
  config.rules["cpp-std-distribution"] = std::nullopt;
  LintReport r = lint_text("src/my file.cpp", "int a = rand();\n", config);
  auto sarif = nlohmann::json::parse(format_sarif(r, config, "0.1.0", "/src"));
  EXPECT_EQ(sarif["version"], "2.1.0");
  EXPECT_EQ(sarif["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  const auto& run = sarif["runs"][0];
  const auto& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "seedgate");
  EXPECT_EQ(driver["version"], "0.1.0");
  EXPECT_EQ(driver["rules"].size(), all_rules().size() - 1);  // one turned off
  for (const auto& rule : driver["rules"]) {
    EXPECT_NE(rule["id"], "cpp-std-distribution");
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
    EXPECT_TRUE(rule["defaultConfiguration"]["level"].is_string());
  }
  ASSERT_EQ(run["results"].size(), 1u);
  const auto& result = run["results"][0];
  EXPECT_EQ(result["ruleId"], "cpp-rand");
  EXPECT_EQ(driver["rules"][result["ruleIndex"].get<std::size_t>()]["id"], "cpp-rand");
  EXPECT_EQ(result["level"], "warning");
  EXPECT_EQ(result["message"]["text"], "'rand()' uses the C library's global generator");
  const auto& location = result["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], "src/my%20file.cpp");
  EXPECT_EQ(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(location["region"]["startLine"], 1);
  EXPECT_EQ(location["region"]["startColumn"], 9);
  EXPECT_EQ(result["partialFingerprints"]["seedgateFindingHash/v2"].get<std::string>().size(), 16u);
}

TEST(LintReports, FingerprintsSurviveEditsElsewhereAndTellRepeatsApart) {
  LintReport before = lint_text("a.cpp", "int a = rand();\nint b = rand();\n");
  LintReport after = lint_text("a.cpp", "// a new first line\n\nint a = rand();\nint b = rand();\n");
  ASSERT_EQ(before.findings.size(), 2u);
  ASSERT_EQ(after.findings.size(), 2u);
  EXPECT_EQ(before.findings[0].fingerprint, after.findings[0].fingerprint);
  EXPECT_EQ(before.findings[1].fingerprint, after.findings[1].fingerprint);
  EXPECT_NE(before.findings[0].fingerprint, before.findings[1].fingerprint);
  LintReport same_text = lint_text("a.cpp", "x = rand(); x = rand();\n");
  ASSERT_EQ(same_text.findings.size(), 2u);
  EXPECT_NE(same_text.findings[0].fingerprint, same_text.findings[1].fingerprint);
}

TEST(LintReports, GithubAnnotationsEscapeTheirFields) {
  LintReport r;
  r.findings.push_back({"cpp-rand", Severity::note, "a,b:c%.cpp", 3, 4, "line one\nline 100%", "f"});
  EXPECT_EQ(format_github(r),
            "::notice file=a%2Cb%3Ac%25.cpp,line=3,col=4,title=seedgate lint%3A cpp-rand::line one%0Aline 100%25\n");
}

TEST(LintReports, GitlabCodeQualityIssues) {
  LintReport r = lint_text("src/a.cpp", "#include <random>\nint a = rand();\n");
  ASSERT_EQ(r.findings.size(), 1u);
  auto issues = nlohmann::json::parse(format_codequality(r));
  ASSERT_TRUE(issues.is_array());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0]["check_name"], "cpp-rand");
  EXPECT_EQ(issues[0]["severity"], "major");
  EXPECT_EQ(issues[0]["fingerprint"], r.findings[0].fingerprint);
  EXPECT_EQ(issues[0]["location"]["path"], "src/a.cpp");
  EXPECT_EQ(issues[0]["location"]["lines"]["begin"], 2);
  EXPECT_EQ(issues[0]["description"], "'rand()' uses the C library's global generator [cpp-rand]");
  EXPECT_EQ(format_codequality(LintReport{}), "[]\n");
}

TEST(LintReports, JunitOneFailurePerTestCase) {
  LintConfig config;
  LintReport r = lint_text("a.cpp", "#include <random>\nint a = rand();\nint b = rand();\n");
  ASSERT_EQ(r.findings.size(), 2u);
  std::string xml = format_junit(r, config);
  // Two findings of one rule: two test cases (Jenkins keeps one failure per case, GitLab expects one).
  EXPECT_NE(xml.find(R"(<testsuite name="seedgate.lint" tests="23" failures="2" errors="0")"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(file="a.cpp" line="2">)"), std::string::npos) << xml;
  EXPECT_NE(xml.find(R"(file="a.cpp" line="3">)"), std::string::npos) << xml;
  std::size_t cases = 0, failures = 0;
  for (std::size_t at = xml.find("<testcase "); at != std::string::npos; at = xml.find("<testcase ", at + 1)) {
    ++cases;
    std::size_t end = xml.find("<testcase ", at + 1);
    std::string body = xml.substr(at, end == std::string::npos ? std::string::npos : end - at);
    std::size_t here = 0;
    for (std::size_t f = body.find("<failure "); f != std::string::npos; f = body.find("<failure ", f + 1)) ++here;
    EXPECT_LE(here, 1u) << body;
    failures += here;
  }
  EXPECT_EQ(cases, 23u);
  EXPECT_EQ(failures, 2u);
}

TEST(LintReports, JunitValidatesAndFailsPerRule) {
  LintConfig config;
  LintReport r =
      lint_text("a.cpp", "#include <random>\nint a = rand();\nstd::uniform_int_distribution<int> d(1, 6);\n");
  std::string xml = format_junit(r, config);
  EXPECT_NE(xml.find(R"(<testsuite name="seedgate.lint" tests="22" failures="1" errors="0")"), std::string::npos)
      << xml;
  // One test case per finding, placed at the finding, with one failure at most.
  EXPECT_NE(xml.find(R"(<testcase name="cpp-rand a.cpp:2:9" classname="seedgate.lint.cpp-rand" time="0.000" )"
                     R"(file="a.cpp" line="2">)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<failure type="warning" message="a.cpp:2:9: 'rand()' uses the C library's global generator">)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<system-out>a.cpp:3:6: note: std::uniform_int_distribution"), std::string::npos) << xml;
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint not installed";
  fs::path path = fs::temp_directory_path() / "seedgate-lint-junit.xml";
  ASSERT_TRUE(util::write_file_atomic(path, xml));
  std::string command = std::string("xmllint --noout --schema ") + JUNIT_SCHEMA + " " + path.string() + " 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << xml;
}

}  // namespace
}  // namespace lint

namespace lint {
namespace {

// Any bytes at all (unbalanced brackets, unterminated strings and raw
// strings, stray backslashes, NULs) lint without crashing or hanging.
TEST(LintRobustness, GarbageNeverCrashes) {
  std::mt19937_64 engine(20261123);
  const std::string alphabet = "()[]{}<>,.;:=\"'`\\/#*R\n\t 0123456789 rand torch np random DataLoader manual_seed";
  for (int round = 0; round < 300; ++round) {
    std::string text;
    std::size_t length = engine() % 400;
    for (std::size_t i = 0; i < length; ++i) {
      text += engine() % 8 == 0 ? static_cast<char>(engine() % 256)
                                : alphabet[static_cast<std::size_t>(engine() % alphabet.size())];
    }
    std::vector<SourceFile> files;
    files.push_back(make_source("a.cpp", Language::cpp, text));
    files.push_back(make_source("a.py", Language::python, text));
    auto report = lint_sources(files, {});
    ASSERT_TRUE(report);
    for (const Finding& f : report->findings) EXPECT_GE(f.line, 1u);
  }
}

}  // namespace
}  // namespace lint
