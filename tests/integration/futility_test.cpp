// Futility stops, end to end: a sequential sweep (inconclusive = "more-seeds")
// whose program is clearly bad on one check stops after its first look, even
// though another check is still undecided there, and fails.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

// Looks at 5, 10, 15 and 20 seeds. The fake trainer's "normal MEAN SD" draws
// each seed's accuracy from Normal(MEAN, SD).
const std::string kSequentialSweep = "seeds = { start = 0, count = 5, max = 20 }\njobs = 2\n";

// The mean against 0.90, and the spread against 0.012: with a true sd of
// 0.01, five seeds cannot tell the spread's chi-square bounds from 0.012.
const std::string kChecks = R"([[check]]
name = "mean"
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.90
confidence = 0.95
inconclusive = "more-seeds"

[[check]]
name = "spread"
kind = "variance"
metric = "accuracy"
std_at_most = 0.012
confidence = 0.95
inconclusive = "more-seeds"
)";

TEST_F(CliTest, AClearFailureStopsTheSweepAtTheFirstLook) {
  // True mean 0.85: five seeds put the mean's bounds well below 0.90.
  write_policy("\"normal\", \"0.85\", \"0.01\"", kChecks, "", kSequentialSweep);
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_EQ(starts(), 5u) << o.out;
  nlohmann::json r = results();
  EXPECT_EQ(r["runs"].size(), 5u);
  EXPECT_EQ(r["seeds"].size(), 5u);
  EXPECT_EQ(r["sequential"]["look"], 0);
  EXPECT_EQ(r["sequential"]["looks"], nlohmann::json::parse("[5, 10, 15, 20]"));
  EXPECT_EQ(r["verdict"], "fail");
  const nlohmann::json& mean = check(r, "mean");
  EXPECT_EQ(mean["verdict"], "fail");
  EXPECT_EQ(mean["counted_as"], "fail");
  // The spread is undecided, and says why the sweep did not go on to decide it.
  const nlohmann::json& spread = check(r, "spread");
  EXPECT_EQ(spread["verdict"], "inconclusive") << spread.dump();
  ASSERT_FALSE(spread["notes"].empty());
  EXPECT_EQ(spread["notes"].back(),
            "not finished: the sweep stopped at look 1 of 4 (5 seeds) because check 'mean' fails at any later look");
  EXPECT_NE(o.out.find("fails at any later look"), std::string::npos) << o.out;
  // And the sweep said so as it stopped.
  EXPECT_NE(o.err.find("stopped at look 1: check 'mean' fails whatever later seeds show ("), std::string::npos)
      << o.err;
  EXPECT_TRUE(junit_valid());
  // `seedgate check` judges the stored look the same way.
  Outcome again = seedgate({"check", "results.json"});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
}

TEST_F(CliTest, WithNothingFailedTheOpenCheckExtendsTheSweep) {
  // The same spread, the mean now clearly above 0.90: nothing fails for good,
  // so the undecided spread check runs the sweep past its first look.
  write_policy("\"normal\", \"0.95\", \"0.01\"", kChecks, "", kSequentialSweep);
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_GT(starts(), 5u) << o.out;
  nlohmann::json r = results();
  EXPECT_EQ(r["runs"].size(), starts());
  EXPECT_GE(r["sequential"]["look"].get<int>(), 1);
  EXPECT_EQ(check(r, "mean")["verdict"], "pass");
}

}  // namespace
