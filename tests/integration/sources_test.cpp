// Where the variance comes from, end to end: [sweep] vary varies one source
// of randomness at a time (a shell-script program reads SEEDGATE_SEED_*), and
// [sweep] folds runs each seed on every fold; the reports say which part of
// the spread comes from where.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

class SourcesTest : public CliTest {
 protected:
  void write_program(const std::string& program, const std::string& sweep) {
    std::ofstream(m_dir / "train.sh") << program;
    std::ofstream(m_dir / "seedgate.toml") << fmt::format(
        "version = 1\n[subject]\ncommand = [\"/bin/sh\", \"train.sh\"]\n[sweep]\n{}\n[metrics.accuracy]\n"
        "goal = \"max\"\n\n[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n",
        sweep);
  }
};

// Only the data order moves the accuracy: the report puts (nearly) all of the
// spread on the order.
TEST_F(SourcesTest, AProgramMovedOnlyByItsDataOrderIsReportedSo) {
  write_program(
      "o=${SEEDGATE_SEED_ORDER:?}; i=${SEEDGATE_SEED_INIT:?}\n"
      "awk -v o=\"$o\" 'BEGIN { printf \"{\\\"accuracy\\\": %.4f}\\n\", 0.9 + 0.01 * (o % 5) }' "
      ">> \"$SEEDGATE_METRICS\"\n",
      "seeds = 5\nvary = [\"init\", \"order\", \"split\", \"dropout\"]\nrepeats = 2\n");
  Outcome o = seedgate({"run", "--out", "out"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results("out/results.json");
  ASSERT_EQ(r["runs"].size(), 5u * 4 * 2);
  for (const nlohmann::json& run : r["runs"]) EXPECT_EQ(run["status"], "passed") << run.dump();
  EXPECT_NE(o.out.find("100% of the spread comes from the data order"), std::string::npos) << o.out;
}

// Folds that differ far more than seeds: the fold's share dominates.
TEST_F(SourcesTest, FoldsSplitTheVarianceIntoSeedAndFoldParts) {
  write_program(
      "awk -v f=\"${SEEDGATE_FOLD:?}\" -v s=\"$SEEDGATE_SEED\" -v n=\"${SEEDGATE_FOLDS:?}\" "
      "'BEGIN { printf \"{\\\"accuracy\\\": %.4f}\\n\", 0.8 + 0.03 * f + 0.002 * (s % 3) }' >> \"$SEEDGATE_METRICS\"\n",
      "seeds = 4\nfolds = 3\n");
  Outcome o = seedgate({"run", "--out", "out"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results("out/results.json");
  ASSERT_EQ(r["runs"].size(), 4u * 3);
  EXPECT_EQ(r["runs"][1]["fold"], 1);
  EXPECT_NE(o.out.find("variance over 4 seeds x 3 folds: fold "), std::string::npos) << o.out;
}

}  // namespace
