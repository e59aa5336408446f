// End to end with unmodified scikit-learn programs: the real seedgate binary
// runs the examples/sklearn_gallery policies, copied verbatim (their commands
// name Debian's python-sklearn-doc scripts by absolute path, so a copy runs
// exactly what the README's commands run), with regex metrics only.
#include <cstdlib>
#include <set>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

constexpr const char* kDocExamples = "/usr/share/doc/python-sklearn-doc/examples";

class SklearnExampleTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (std::system("/usr/bin/python3 -c 'import sklearn, matplotlib' >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "/usr/bin/python3 cannot import sklearn and matplotlib (Debian's python3-sklearn and "
                      "python3-matplotlib; ./build.sh installs them)";
    for (const char* script :
         {"classification/plot_digits_classification.py", "ensemble/plot_gradient_boosting_regression.py"})
      if (!fs::exists(fs::path(kDocExamples) / script))
        GTEST_SKIP() << kDocExamples << "/" << script
                     << " is missing (Debian's python-sklearn-doc; ./build.sh installs it)";
  }

  // The example's policy, unchanged, as the test folder's seedgate.toml.
  void copy_policy(const std::string& name) {
    auto text = util::read_file(fs::path(EXAMPLES_DIR) / "sklearn_gallery" / name);
    ASSERT_TRUE(text) << name;
    ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", *text));
  }

  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(SklearnExampleTest, TheDigitsScriptPassesReproducibleAndConsistentWithItsAccuracyRead) {
  copy_policy("seedgate.toml");
  Outcome lint = seedgate({"policy", "lint"});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  EXPECT_TRUE(contains(lint.out, "ok (4 checks, 0 warnings)")) << lint.out << lint.err;

  Outcome o = seedgate({"run", "--out", "sweep"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_TRUE(contains(o.out, "verdict: PASS (0 of 4 checks failed; exit 0)")) << o.out;
  nlohmann::json r = results("sweep/results.json");
  for (const char* name : {"threshold-accuracy", "threshold-macro-f1", "reproducibility", "consistency"})
    EXPECT_EQ(check(r, name)["verdict"], "pass") << name;
  ASSERT_EQ(r["runs"].size(), 6u);  // seed 0 x threads 1, 2 x 3 repeats
  std::set<std::string> digests;
  std::set<double> accuracies;
  for (const nlohmann::json& run : r["runs"]) {
    ASSERT_EQ(run["status"], "passed") << run.dump();
    // Both numbers come from the regexes over classification_report's lines.
    double accuracy = run["metrics"]["accuracy"];
    EXPECT_GE(accuracy, 0.95) << run.dump();
    EXPECT_LE(accuracy, 1.0) << run.dump();
    EXPECT_GE(run["metrics"]["macro-f1"].get<double>(), 0.95) << run.dump();
    accuracies.insert(accuracy);
    digests.insert(run["artifacts"]["report"].get<std::string>());
  }
  EXPECT_EQ(accuracies.size(), 1u);
  EXPECT_EQ(digests.size(), 1u) << "the whole printed report, byte for byte, on every repeat and thread count";

  // What a user does next: re-judge and re-render from the stored results.
  expect_round_trip("sweep/results.json", "seedgate-results.json", 0);
  Outcome checked = seedgate({"check", "sweep/results.json"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_TRUE(contains(checked.out, "verdict: PASS")) << checked.out;
}

TEST_F(SklearnExampleTest, TheGradientBoostingScriptFailsReproducibilityNamingEachSeedsTwoValues) {
  copy_policy("seedgate-fails.toml");
  // The script never sees the seed: policy lint says so before anything runs.
  Outcome lint = seedgate({"policy", "lint"});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  EXPECT_TRUE(contains(lint.out + lint.err, "warning: the seed cannot reach the program")) << lint.out << lint.err;

  Outcome o = seedgate({"run", "--out", "sweep"});
  ASSERT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_TRUE(contains(o.out, "verdict: FAIL (1 of 2 checks failed; exit 1)")) << o.out;
  EXPECT_TRUE(contains(o.out, "  PASS  threshold-mse")) << o.out;
  EXPECT_TRUE(contains(o.out, "  FAIL  reproducibility")) << o.out;
  nlohmann::json r = results("sweep/results.json");
  EXPECT_EQ(check(r, "threshold-mse")["verdict"], "pass");
  EXPECT_EQ(check(r, "reproducibility")["verdict"], "fail");
  ASSERT_EQ(r["runs"].size(), 6u);  // 3 seeds x 2 repeats
  std::set<double> errors;
  for (const nlohmann::json& run : r["runs"]) {
    ASSERT_EQ(run["status"], "passed") << run.dump();
    errors.insert(run["metrics"]["mse"].get<double>());
  }
  EXPECT_GT(errors.size(), 1u) << "GradientBoostingRegressor without random_state: repeats differ";
  // Each seed whose repeats differ is named with both values, as printed.
  int differing = 0;
  for (int seed : {0, 1, 2}) {
    std::vector<double> values;
    for (const nlohmann::json& run : r["runs"])
      if (run["seed"] == seed) values.push_back(run["metrics"]["mse"]);
    ASSERT_EQ(values.size(), 2u);
    if (values[0] == values[1]) continue;
    ++differing;
    std::string prefix = fmt::format("seed {} (mode=deterministic, device=cpu): metric 'mse' differs: repeat 0 ", seed);
    EXPECT_TRUE(contains(o.out, prefix)) << prefix << "\n" << o.out;
  }
  EXPECT_GT(differing, 0) << o.out;
  std::string markdown = *util::read_file(m_dir / "seedgate-summary.md");
  EXPECT_TRUE(contains(markdown, "### reproducibility — FAIL")) << markdown;
  EXPECT_TRUE(contains(markdown, "metric 'mse' differs: repeat 0 ")) << markdown;

  // check judges the stored runs again without training: the same failure,
  // the same exit code; report renders it into every format.
  nlohmann::json judged = r["checks"];
  fs::remove(m_dir / "seedgate-results.json");
  Outcome checked = seedgate({"check", "sweep/results.json"});
  EXPECT_EQ(checked.exit_code, 1) << checked.out << checked.err;
  EXPECT_TRUE(contains(checked.out, "verdict: FAIL (1 of 2 checks failed; exit 1)")) << checked.out;
  EXPECT_EQ(results("seedgate-results.json")["checks"], judged);
  Outcome reported = seedgate({"report", "sweep/results.json", "--junit", "rt-junit.xml", "--markdown", "rt.md"});
  EXPECT_TRUE(contains(reported.out, "  FAIL  reproducibility")) << reported.out << reported.err;
  EXPECT_TRUE(contains(reported.out, "metric 'mse' differs: repeat 0 ")) << reported.out;
  EXPECT_TRUE(junit_valid("rt-junit.xml"));
  EXPECT_TRUE(contains(*util::read_file(m_dir / "rt-junit.xml"), "metric 'mse' differs: repeat 0 "));
  EXPECT_TRUE(contains(*util::read_file(m_dir / "rt.md"), "### reproducibility — FAIL"));
}

}  // namespace
