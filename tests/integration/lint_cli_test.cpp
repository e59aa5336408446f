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
  EXPECT_NE(o.out.find("0 findings (0 errors, 0 warnings, 0 notes) in 2 files"), std::string::npos) << o.out;
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
      "train.cpp:{}: error: torch is used but torch::manual_seed is never called in the project [torch-no-seed]\n"
      "train.cpp:{}: error: 'mt19937' is seeded from std::random_device [cpp-nondeterministic-seed]\n"
      "train.cpp:{}: error: cuDNN benchmark mode is turned on (setBenchmarkCuDNN(true)) [torch-cudnn-benchmark]\n"
      "train.cpp:{}: warning: RandomSampler shuffles from the global generator, which nothing in the project seeds "
      "[torch-sampler-unseeded]\n"
      "train.cpp:{}: warning: put_ writes (or accumulates) in an unspecified order on CUDA; deterministic algorithms "
      "are never enabled [torch-nondeterministic-op]\n"
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
