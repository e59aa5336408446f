// End-to-end tests of what seedgate does in CI: sharded sweeps merged by
// `seedgate check`, and the reports rendered from stored results.
#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

const std::string kChecks = R"([[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.9
worst_at_least = 0.85
confidence = 0.95

[[check]]
kind = "variance"
metric = "accuracy"
std_at_most = 0.05

[[check]]
kind = "reproducibility"

[[check]]
kind = "seed-sensitivity"
)";

const std::string kSweep = "seeds = 6\nmodes = [\"deterministic\", \"default\"]\nrepeats = 2\njobs = 2\n";

// What must not differ between a sharded and an unsharded sweep: every run's
// identity, status and metrics in order, and every check's outcome.
nlohmann::json judged_part(const nlohmann::json& results) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& run : results["runs"])
    runs.push_back({run["id"], run["status"], run["metrics"], run.value("digests", nlohmann::json())});
  return {{"runs", runs}, {"checks", results["checks"]}, {"seeds", results["seeds"]}, {"verdict", results["verdict"]}};
}

TEST_F(CliTest, MergedShardsEqualTheUnshardedSweep) {
  write_policy("\"normal\", \"0.95\", \"0.01\"", kChecks, "", kSweep);
  Outcome whole = seedgate({"run", "--out", "whole"});
  ASSERT_EQ(whole.exit_code, 0) << whole.out << whole.err;
  nlohmann::json unsharded = results();
  std::size_t trained = starts();
  EXPECT_EQ(trained, 24u);

  // Three shards started the ways three engines start them, one after another.
  Outcome first = seedgate({"run", "--shard", "1/3", "--out", "s1"});
  Outcome second = seedgate({"run", "--out", "s2"}, {"CI_NODE_INDEX=2", "CI_NODE_TOTAL=3"});
  Outcome third =
      seedgate({"run", "--out", "s3"}, {"SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_COUNT=3", "SLURM_ARRAY_TASK_MIN=1"});
  for (const Outcome* o : {&first, &second, &third}) EXPECT_EQ(o->exit_code, 0) << o->out << o->err;
  EXPECT_EQ(starts(), 2 * trained);
  EXPECT_NE(second.out.find("shard 2/3 on "), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("results: s2/shard-2-of-3.json"), std::string::npos) << second.out;
  // A shard judges nothing and writes none of the policy's reports.
  EXPECT_EQ(nlohmann::json::parse(*util::read_file(m_dir / "s1" / "shard-1-of-3.json"))["verdict"], "shard");
  fs::remove(m_dir / "results.json");
  fs::remove(m_dir / "junit.xml");
  Outcome only_shard = seedgate({"run", "--shard", "1/3", "--out", "again"});
  EXPECT_FALSE(fs::exists(m_dir / "results.json"));
  EXPECT_FALSE(fs::exists(m_dir / "junit.xml"));

  Outcome merged = seedgate({"check", "s3/shard-3-of-3.json", "s1/shard-1-of-3.json", "s2/shard-2-of-3.json"});
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  EXPECT_NE(merged.out.find("merged from 3 shards: 1/3 on "), std::string::npos) << merged.out;
  EXPECT_EQ(judged_part(results()), judged_part(unsharded));
  EXPECT_TRUE(junit_valid());
  // Each run names the machine it ran on.
  for (const auto& run : results()["runs"]) EXPECT_FALSE(run.value("machine", "").empty()) << run.dump();
}

TEST_F(CliTest, MissingShardCannotBeEvaluated) {
  write_policy("\"stable\"", kChecks, "", kSweep);
  ASSERT_EQ(seedgate({"run", "--out", "s1"}, {"GTEST_SHARD_INDEX=0", "GTEST_TOTAL_SHARDS=3"}).exit_code, 0);
  ASSERT_EQ(seedgate({"run", "--out", "s3", "--shard-count", "3"}, {"JOB_COMPLETION_INDEX=2"}).exit_code, 0);
  Outcome o = seedgate({"check", "s1/shard-1-of-3.json", "s3/shard-3-of-3.json"});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.out.find("error: shard 2/3 is missing: its runs are not judged; give every shard-*.json"),
            std::string::npos)
      << o.out;
}

TEST_F(CliTest, ShardsOfDifferentPoliciesAreRefused) {
  write_policy("\"stable\"", kChecks, "", kSweep);
  ASSERT_EQ(seedgate({"run", "--shard", "1/2", "--out", "s1"}).exit_code, 0);
  write_policy("\"stable\"", kChecks, "", "seeds = 7\nrepeats = 2\n");
  ASSERT_EQ(seedgate({"run", "--shard", "2/2", "--out", "s2"}).exit_code, 0);
  Outcome o = seedgate({"check", "s1/shard-1-of-2.json", "s2/shard-2-of-2.json"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("seedgate: s1/shard-1-of-2.json and s2/shard-2-of-2.json were run under different policies"),
            std::string::npos)
      << o.err;
  Outcome twice = seedgate({"check", "s2/shard-2-of-2.json", "s2/shard-2-of-2.json"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("shard 2/2 is given twice"), std::string::npos) << twice.err;
}

TEST_F(CliTest, ShardUsageErrors) {
  write_policy("\"stable\"", kChecks, "", kSweep);
  Outcome bad = seedgate({"run", "--shard", "4/3"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "seedgate: --shard 4/3: shard 4 is outside 1..3 (shards count from 1 to the count)\n");
  Outcome half = seedgate({"run"}, {"CI_NODE_INDEX=1"});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_EQ(half.err, "seedgate: CI_NODE_INDEX is set but CI_NODE_TOTAL is not set\n");
  EXPECT_EQ(starts(), 0u);
}

TEST_F(CliTest, AShardExitsThreeOnlyWhenItsOwnRunsBreak) {
  // Cells (seed, mode) are dealt round-robin: shard 2 gets s0-default,
  // s2-deterministic, s3-default, s5-deterministic, so no run of seed 1.
  write_policy("\"crash-on-seed\", \"1\"", kChecks, "", kSweep);
  Outcome clean = seedgate({"run", "--shard", "2/3", "--out", "s2"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  Outcome broken = seedgate({"run", "--shard", "1/3", "--out", "s1"});
  EXPECT_EQ(broken.exit_code, 3) << broken.out << broken.err;
  EXPECT_NE(broken.out.find("failed      s1-default-cpu-r0"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("error: 2 runs failed; the policy allows 0 (allowed_failures)"), std::string::npos)
      << broken.out;
}

}  // namespace
