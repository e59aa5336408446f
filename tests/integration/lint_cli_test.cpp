// `seedgate lint` end to end: the real binary over the project's examples (no
// finding may be a false alarm) and over a planted bad copy of one.
#include <regex>

#include "tests/integration/cli_fixture.hpp"
#include "util/atomic_file.hpp"

namespace seedgate_test {
namespace {

// The 1-based number of the first line of `text` that contains `needle`.
int line_of(const std::string& text, const std::string& needle) {
  std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class LintCliTest : public CliTest {};

TEST_F(LintCliTest, TheExamplesHaveNoFindings) {
  Outcome o = seedgate({"lint", "--fail-on", "note", EXAMPLES_DIR});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  // The C++ programs and the three Python ones (examples/python_*).
  EXPECT_NE(o.out.find("0 findings (0 errors, 0 warnings, 0 notes) in 5 files"), std::string::npos) << o.out;
}

// digits_torch with its seeding taken out and four hazards planted.
TEST_F(LintCliTest, APlantedBadExampleGivesTheExpectedFindings) {
  auto original = util::read_file(fs::path(EXAMPLES_DIR) / "digits_torch" / "digits_torch.cpp");
  ASSERT_TRUE(original);
  std::string text = replace(*original, "seedgate::torch::Session session = seedgate::torch::configure();",
                             "at::globalContext().setBenchmarkCuDNN(true);");
  text = replace(text, "seedgate::torch::SeededRandomSampler(static_cast<std::size_t>(train_rows),",
                 "torch::data::samplers::RandomSampler(train_rows), (");
  text =
      replace(text, "void train(const Options& options) {",
              "void train(const Options& options) {\n  std::random_device rd;\n  std::mt19937 shuffle_engine(rd());");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "train.cpp", text));
  // The version judged against, whatever LibTorch this machine has installed.
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", "[lint]\ntorch_version = \"2.1\"\n"));

  Outcome o = seedgate({"lint", "train.cpp"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  int first_torch = 0;
  {
    std::regex torch_use(R"((^|[^:\w])torch::)");
    std::smatch m;
    std::string code = text.substr(text.find("\n#include"));  // after the header comment
    ASSERT_TRUE(std::regex_search(code, m, torch_use));
    std::string before = text.substr(0, text.size() - code.size() + static_cast<std::size_t>(m.position(0)));
    first_torch = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  }
  std::string expected = fmt::format(
      "train.cpp:{}: error: torch is used but torch::manual_seed is never called in train.cpp or the files it "
      "includes [torch-no-seed]\n"
      "train.cpp:{}: error: 'mt19937' is seeded from std::random_device [cpp-nondeterministic-seed]\n"
      "train.cpp:{}: error: cuDNN benchmark mode is turned on (setBenchmarkCuDNN(true)) [torch-cudnn-benchmark]\n"
      "train.cpp:{}: warning: RandomSampler shuffles from the global generator, which nothing in the project seeds "
      "[torch-sampler-unseeded]\n"
      "train.cpp:{}: warning: put_ writes (or accumulates) in an unspecified order on CUDA; deterministic algorithms "
      "are never enabled (LibTorch 2.1 has no deterministic CUDA kernel for it) [torch-nondeterministic-op]\n"
      "judged against torch 2.1 ([lint] torch_version)\n"
      "5 findings (3 errors, 2 warnings, 0 notes) in 1 file, {} lines; failed: at or above warning\n",
      "{}", line_of(text, "std::mt19937 shuffle_engine"), line_of(text, "setBenchmarkCuDNN"),
      line_of(text, "RandomSampler(train_rows)"), line_of(text, "last_seen.put_("),
      std::count(text.begin(), text.end(), '\n'));
  // Columns are checked by the unit tests; here the lines and the texts.
  std::string out =
      std::regex_replace(o.out, std::regex(R"(^train\.cpp:(\d+):\d+:)", std::regex::multiline), "train.cpp:$1:");
  std::string want = fmt::format(fmt::runtime(expected), first_torch);
  EXPECT_EQ(out, want);

  // The same findings as SARIF in a file (the text still on stdout) and as annotations.
  Outcome sarif = seedgate({"lint", "train.cpp", "--format", "sarif", "-o", "out/lint.sarif"});
  EXPECT_EQ(sarif.exit_code, 1);
  EXPECT_EQ(sarif.out, o.out);
  auto document = nlohmann::json::parse(*util::read_file(m_dir / "out" / "lint.sarif"));
  const auto& results = document["runs"][0]["results"];
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0]["ruleId"], "torch-no-seed");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "train.cpp");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], first_torch);

  Outcome github = seedgate({"lint", "train.cpp", "--format", "github"});
  EXPECT_EQ(github.exit_code, 1);
  EXPECT_EQ(std::count(github.out.begin(), github.out.end(), '\n'), 5) << github.out;
  EXPECT_TRUE(github.out.starts_with(fmt::format("::error file=train.cpp,line={},", first_torch))) << github.out;
  EXPECT_NE(github.err.find("5 findings"), std::string::npos) << github.err;
}

// Given absolute paths, SARIF still names files relative to the scan root
// (%SRCROOT%, which originalUriBaseIds maps to it), so code scanning can place
// them in the repository; a moved, re-indented file keeps its fingerprints.
TEST_F(LintCliTest, SarifLocationsAreRelativeToTheScanRootWhenGivenAbsolutePaths) {
  fs::create_directories(m_dir / "proj" / "src");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "proj" / "src" / "train.cpp", "int main() {\n  return rand();\n}\n"));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "proj" / "seedgate.toml", "[lint]\n"));
  auto sarif_of = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all = {"lint", "--format", "sarif", "-o", "out.sarif"};
    all.insert(all.end(), args.begin(), args.end());
    Outcome o = seedgate(all);
    EXPECT_EQ(o.exit_code, 1) << o.err;
    auto text = util::read_file(m_dir / "out.sarif");
    EXPECT_TRUE(text);
    return nlohmann::json::parse(text ? *text : std::string("{}"));
  };
  auto artifact = [](const nlohmann::json& sarif) {
    return sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
  };
  std::string root_uri = "file://" + (m_dir / "proj").generic_string() + "/";

  // The policy's folder is the root.
  nlohmann::json by_policy = sarif_of({"--policy", "proj/seedgate.toml", (m_dir / "proj" / "src").string()});
  EXPECT_EQ(artifact(by_policy), nlohmann::json({{"uri", "src/train.cpp"}, {"uriBaseId", "%SRCROOT%"}}));
  EXPECT_EQ(by_policy["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"], root_uri);
  // Without a policy, the working folder is.
  nlohmann::json by_cwd = sarif_of({(m_dir / "proj" / "src" / "train.cpp").string()});
  EXPECT_EQ(artifact(by_cwd), nlohmann::json({{"uri", "proj/src/train.cpp"}, {"uriBaseId", "%SRCROOT%"}}));
  EXPECT_EQ(by_cwd["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file://" + m_dir.generic_string() + "/");

  // Moved and re-indented: the same fingerprint.
  std::string fingerprint = by_policy["runs"][0]["results"][0]["partialFingerprints"]["seedgateFindingHash/v2"];
  fs::create_directories(m_dir / "proj" / "lib");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "proj" / "lib" / "moved.cpp", "int main()\n{\n\treturn  rand();\n}\n"));
  fs::remove(m_dir / "proj" / "src" / "train.cpp");
  nlohmann::json moved = sarif_of({"--policy", "proj/seedgate.toml", (m_dir / "proj" / "lib").string()});
  EXPECT_EQ(artifact(moved)["uri"], "lib/moved.cpp");
  EXPECT_EQ(moved["runs"][0]["results"][0]["partialFingerprints"]["seedgateFindingHash/v2"], fingerprint);
}

// .c and .h files are linted (as C++), not skipped.
TEST_F(LintCliTest, CAndHeaderFilesAreLinted) {
  fs::create_directories(m_dir / "src");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "src" / "main.c",
                                      "#include <stdlib.h>\n#include <time.h>\n#include \"noise.h\"\n\n"
                                      "int main(void) {\n  srand(time(NULL));\n  return noise(0);\n}\n"));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "src" / "noise.h",
                                      "static inline int noise(int x) { return x + rand() % 3; }\n"));
  Outcome o = seedgate({"lint", "src"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_EQ(o.out,
            "src/main.c:6:3: error: 'srand' is seeded from the clock [cpp-nondeterministic-seed]\n"
            "src/main.c:6:3: warning: 'srand()' uses the C library's global generator [cpp-rand]\n"
            "src/noise.h:1:45: warning: 'rand()' uses the C library's global generator [cpp-rand]\n"
            "3 findings (1 error, 2 warnings, 0 notes) in 2 files, 9 lines; failed: at or above warning\n");
  // Named on the command line, a .c file is a file seedgate lints.
  Outcome one = seedgate({"lint", "src/main.c"});
  EXPECT_EQ(one.exit_code, 1) << one.err;
  EXPECT_NE(one.out.find("in 1 file, 8 lines"), std::string::npos) << one.out;
}

// An XGBoost 1.7 user gets no "removed in 3.1" findings for parameters 1.7
// has; the version comes from [lint], or else from the installed headers,
// and the output says which.
TEST_F(LintCliTest, TheXGBoostVersionComesFromThePolicyOrTheInstalledHeaders) {
  ASSERT_TRUE(util::write_file_atomic(
      m_dir / "train.py",
      "import xgboost as xgb\n\nparams = {\"gpu_id\": 0, \"seed\": 1}\nbooster = xgb.train(params, None)\n"));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", "[lint]\nxgboost_version = \"1.7\"\n"));
  Outcome old = seedgate({"lint", "--fail-on", "error"});
  EXPECT_EQ(old.exit_code, 0) << old.err;
  EXPECT_EQ(old.out,
            "train.py:4:15: warning: tree_method is never set: XGBoost 1.7 picks exact or approx by the data's size, "
            "and 2.0 changed the default to hist [xgboost-default-tree-method]\n"
            "judged against XGBoost 1.7 ([lint] xgboost_version)\n"
            "1 finding (0 errors, 1 warning, 0 notes) in 1 file, 4 lines; passed: none at or above error\n");

  // No version in [lint]: the first installed header on the include path.
  fs::remove(m_dir / "seedgate.toml");
  fs::create_directories(m_dir / "include" / "xgboost");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "include" / "xgboost" / "version_config.h",
                                      "#define XGBOOST_VER_MAJOR 2\n#define XGBOOST_VER_MINOR 1\n"
                                      "#define XGBOOST_VER_PATCH 3\n"));
  std::string header = (m_dir / "include" / "xgboost" / "version_config.h").string();
  Outcome installed = seedgate({"lint", "--fail-on", "error"}, {"CPATH=" + (m_dir / "include").string()});
  EXPECT_EQ(installed.exit_code, 1) << installed.err;
  EXPECT_NE(installed.out.find("train.py:3:11: error: 'gpu_id' is deprecated since XGBoost 2.0 and removed in 3.1 "
                               "(judged against XGBoost 2.1.3); use device = \"cuda:N\" [xgboost-removed-param]\n"),
            std::string::npos)
      << installed.out;
  EXPECT_NE(installed.out.find("judged against XGBoost 2.1.3 (installed: " + header + ")\n"), std::string::npos)
      << installed.out;
  // SARIF carries the same in the run's properties.
  Outcome sarif =
      seedgate({"lint", "--format", "sarif", "-o", "lint.sarif"}, {"CPATH=" + (m_dir / "include").string()});
  auto document = nlohmann::json::parse(*util::read_file(m_dir / "lint.sarif"));
  EXPECT_EQ(document["runs"][0]["properties"]["assumedVersions"]["XGBoost"]["version"], "2.1.3");
  EXPECT_EQ(document["runs"][0]["properties"]["assumedVersions"]["XGBoost"]["source"], "installed: " + header);
}

TEST_F(LintCliTest, AVersionThatIsNoVersionIsAUsageErrorAtItsPlace) {
  ASSERT_TRUE(
      util::write_file_atomic(m_dir / "seedgate.toml", "[lint]\nfail_on = \"error\"\nxgboost_version = \"1.7.x\"\n"));
  Outcome o = seedgate({"lint"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "seedgate.toml:3:19: 'xgboost_version' must be a version such as \"1.7\", got \"1.7.x\"\n");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", "[lint]\ntorch_version = \"latest\"\n"));
  Outcome torch = seedgate({"lint"});
  EXPECT_EQ(torch.exit_code, 2);
  EXPECT_EQ(torch.err, "seedgate.toml:2:17: 'torch_version' must be a version such as \"2.1\", got \"latest\"\n");
}

// One seeded script no longer hides the unseeded one beside it.
TEST_F(LintCliTest, EachEntryPointIsJudgedOnItsOwn) {
  ASSERT_TRUE(util::write_file_atomic(
      m_dir / "train_a.py",
      "import os\n\nimport torch\n\ntorch.manual_seed(int(os.environ[\"SEEDGATE_SEED\"]))\nprint(torch.rand(1))\n"));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "train_b.py", "import torch\n\nprint(torch.rand(1))\n"));
  Outcome o = seedgate({"lint", "train_a.py", "train_b.py"}, {"CPATH=/nonexistent"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_NE(o.out.find("train_b.py:1:1: error: torch is imported but torch.manual_seed or seed_everything is never "
                       "called in train_b.py or the files it imports [torch-no-seed]\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("1 finding (1 error, 0 warnings, 0 notes) in 2 files"), std::string::npos) << o.out;
  // Seeded too, train_b.py passes.
  ASSERT_TRUE(util::write_file_atomic(m_dir / "train_b.py",
                                      "import sys\n\nimport torch\n\ntorch.manual_seed(int(sys.argv[1]))\n"));
  Outcome fixed = seedgate({"lint", "train_a.py", "train_b.py"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out;
}

TEST_F(LintCliTest, ScikitLearnWithoutRandomStateIsFlagged) {
  ASSERT_TRUE(util::write_file_atomic(m_dir / "train.py",
                                      "import os\n"
                                      "from sklearn.datasets import load_digits\n"
                                      "from sklearn.ensemble import RandomForestClassifier as RFC\n"
                                      "from sklearn.model_selection import KFold, train_test_split\n"
                                      "\n"
                                      "seed = int(os.environ[\"SEEDGATE_SEED\"])\n"
                                      "X, y = load_digits(return_X_y=True)\n"
                                      "X_train, X_test, y_train, y_test = train_test_split(X, y)\n"
                                      "folds = KFold(n_splits=5, shuffle=True, random_state=seed)\n"
                                      "model = RFC(n_estimators=50).fit(X_train, y_train)\n"
                                      "print(model.score(X_test, y_test))\n"));
  Outcome o = seedgate({"lint", "train.py"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_EQ(o.out,
            "train.py:8:36: warning: train_test_split is given no random_state, so it draws from numpy's global "
            "generator [sklearn-missing-random-state]\n"
            "train.py:10:9: warning: RandomForestClassifier is given no random_state, so it draws from numpy's global "
            "generator [sklearn-missing-random-state]\n"
            "2 findings (0 errors, 2 warnings, 0 notes) in 1 file, 11 lines; failed: at or above warning\n");
  Outcome listed = seedgate({"lint", "--list-rules"});
  EXPECT_NE(listed.out.find("sklearn-missing-random-state"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("constant-seed"), std::string::npos) << listed.out;
}

// torch.manual_seed(1) with SEEDGATE_SEED read nowhere: the sweep's seeds
// cannot reach the program. Reading the seed makes the finding go.
TEST_F(LintCliTest, AConstantSeedIsFlaggedWhereTheConfiguredSeedCannotFlow) {
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", "[lint]\ntorch_version = \"2.1\"\n"));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "train.py",
                                      "import numpy as np\nimport torch\n\ntorch.manual_seed(1)\nnp.random.seed(0)\n"));
  Outcome o = seedgate({"lint", "train.py"});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_EQ(o.out,
            "train.py:4:7: warning: torch.manual_seed(1) fixes the seed, and nothing that train.py reaches reads "
            "SEEDGATE_SEED or a command-line seed: the sweep's seeds cannot reach the program [constant-seed]\n"
            "train.py:5:11: warning: np.random.seed(0) fixes the seed, and nothing that train.py reaches reads "
            "SEEDGATE_SEED or a command-line seed: the sweep's seeds cannot reach the program [constant-seed]\n"
            "judged against torch 2.1 ([lint] torch_version)\n"
            "2 findings (0 errors, 2 warnings, 0 notes) in 1 file, 5 lines; failed: at or above warning\n");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "train.py",
                                      "import os\n\nimport numpy as np\nimport torch\n\n"
                                      "torch.manual_seed(int(os.environ.get(\"SEEDGATE_SEED\", \"1\")))\n"
                                      "np.random.seed(0)\n"));
  Outcome flows = seedgate({"lint", "train.py"});
  EXPECT_EQ(flows.exit_code, 0) << flows.out;
  // C++: the same, and main(argc, argv) is a way in for --seed.
  ASSERT_TRUE(util::write_file_atomic(m_dir / "train.cpp",
                                      "#include <torch/torch.h>\n\nint main() {\n  torch::manual_seed(1);\n}\n"));
  Outcome cpp = seedgate({"lint", "train.cpp"});
  EXPECT_EQ(cpp.exit_code, 1);
  EXPECT_NE(cpp.out.find("train.cpp:4:10: warning: torch::manual_seed(1) fixes the seed"), std::string::npos)
      << cpp.out;
  ASSERT_TRUE(util::write_file_atomic(
      m_dir / "train.cpp",
      "#include <torch/torch.h>\n\nint main(int argc, char** argv) {\n  torch::manual_seed(1);\n  return argc;\n}\n"));
  EXPECT_EQ(seedgate({"lint", "train.cpp"}).exit_code, 0);
}

TEST_F(LintCliTest, ThePolicysLintTableChoosesPathsRulesAndTheFailingSeverity) {
  fs::create_directories(m_dir / "src" / "vendor");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "src" / "a.cpp", "#include <random>\nstd::mt19937 engine;\n"));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "src" / "vendor" / "b.cpp", "int x = rand();\n"));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "tool.py", "import random\nrandom.random()\n"));
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml",
                                      "[lint]\npaths = [\"src\"]\nexclude = [\"vendor\"]\nfail_on = \"error\"\n"));
  Outcome warned = seedgate({"lint"});
  EXPECT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_EQ(warned.out,
            "src/a.cpp:2:6: warning: 'mt19937' is default-constructed, so it starts from the same fixed seed in every "
            "run [cpp-default-engine]\n"
            "1 finding (0 errors, 1 warning, 0 notes) in 1 file, 2 lines; passed: none at or above error\n");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml",
                                      "[lint]\npaths = [\"src\"]\n[lint.rules]\ncpp-default-engine = \"error\"\n"));
  EXPECT_EQ(seedgate({"lint"}).exit_code, 1);
  EXPECT_EQ(seedgate({"lint", "--fail-on", "never"}).exit_code, 0);
  // Paths on the command line replace the policy's.
  Outcome tool = seedgate({"lint", "tool.py"});
  EXPECT_EQ(tool.exit_code, 1);
  EXPECT_NE(tool.out.find("tool.py:2:1: warning: random.random draws from the global generator"), std::string::npos)
      << tool.out;
}

TEST_F(LintCliTest, BadLintSettingsAreUsageErrors) {
  ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", "[lint]\nfail_on = \"warnings\"\n"));
  Outcome o = seedgate({"lint"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err,
            "seedgate.toml:2:11: 'fail_on' must be one of \"error\", \"warning\", \"note\", \"never\", got "
            "\"warnings\"; did you mean \"warning\"?\n");
  Outcome missing = seedgate({"lint", "-p", "other.toml"});
  EXPECT_EQ(missing.exit_code, 2);
  fs::remove(m_dir / "seedgate.toml");
  EXPECT_EQ(seedgate({"lint", "nowhere"}).err, "seedgate: lint path 'nowhere' does not exist\n");
  EXPECT_EQ(seedgate({"lint", "--format", "xml"}).exit_code, 2);
}

TEST_F(LintCliTest, ASweepPolicyMayCarryALintTable) {
  write_policy("\"stable\"", "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  std::ofstream(m_dir / "seedgate.toml", std::ios::app) << "\n[lint]\nentry_points = [\"train.py\"]\n";
  Outcome o = seedgate({"policy", "lint"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

}  // namespace
}  // namespace seedgate_test
