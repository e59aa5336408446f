// End to end with XGBoost: the real seedgate binary sweeps the breast-cancer
// example in-process (adapter = "xgboost") and through the unmodified
// `xgboost` program (adapter = "command"), from the example's own policies
// with fewer seeds.
#include <map>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

class XGBoostExampleTest : public CliTest {
 protected:
  // An example policy (and, for the program, its train.conf) in the test's
  // folder, with the data paths made absolute and `seeds` seeds.
  void write_example(const std::string& policy_name, int seeds,
                     const std::map<std::string, std::string>& replacements = {}) {
    fs::path example = fs::path(EXAMPLES_DIR) / "breast_cancer_xgboost";
    std::string data = (fs::path(EXAMPLES_DIR) / "data").string();
    for (const std::string& name : {policy_name, std::string("train.conf")}) {
      std::string text = *util::read_file(example / name);
      auto replace_all = [&](const std::string& from, const std::string& to) {
        for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
          text.replace(at, from.size(), to);
      };
      replace_all("../data", data);
      replace_all("seeds = 16", fmt::format("seeds = {}", seeds));
      for (const auto& [from, to] : name == policy_name ? replacements : std::map<std::string, std::string>{}) {
        ASSERT_NE(text.find(from), std::string::npos) << from;
        replace_all(from, to);
      }
      ASSERT_TRUE(util::write_file_atomic(m_dir / (name == policy_name ? "seedgate.toml" : name), text));
    }
  }
};

TEST_F(XGBoostExampleTest, InProcessSweepPassesWithDigestsAndImportanceStability) {
  write_example("seedgate.toml", 4);
  Outcome o = seedgate({"run", "--out", "sweep"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("verdict: PASS"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("feature importance (gain) across seeds"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Kendall's tau mean"), std::string::npos) << o.out;
  nlohmann::json r = results("seedgate-results.json");
  for (const char* name :
       {"reproducibility", "consistency", "seed-sensitivity", "threshold-test-error", "ensemble-log-loss", "churn"})
    EXPECT_EQ(check(r, name)["verdict"], "pass") << name;
  // subsample and colsample_bytree below 1: seeds disagree on some patients.
  for (const nlohmann::json& s : check(r, "churn")["statistics"]) {
    if (s["name"] == "churn") {
      EXPECT_GT(s["value"].get<double>(), 0) << s.dump();
    }
  }
  ASSERT_EQ(r["runs"].size(), 16u);  // 4 seeds x threads 1, 2 x 2 repeats
  std::map<std::int64_t, std::string> digest_of_seed;
  for (const nlohmann::json& run : r["runs"]) {
    EXPECT_EQ(run["status"], "passed") << run.dump();
    EXPECT_EQ(run["env"]["tree_method"], "hist");
    EXPECT_EQ(run["env"]["nthread"], std::to_string(run["threads"].get<int>()));
    EXPECT_EQ(run["series"]["test-error"].size(), 60u);  // one point per round
    EXPECT_EQ(run["importance"]["kind"], "gain");
    EXPECT_TRUE(run["importance"]["values"].contains("worst perimeter")) << run["importance"].dump();
    std::string digest = run["artifacts"]["model"];
    auto [it, fresh] = digest_of_seed.emplace(run["seed"].get<std::int64_t>(), digest);
    EXPECT_EQ(it->second, digest) << "seed " << run["seed"] << ": same model on every repeat and thread count";
    EXPECT_TRUE(fs::exists(m_dir / "sweep" / "runs" / run["id"].get<std::string>() / "model.ubj"));
  }
  EXPECT_EQ(digest_of_seed.size(), 4u);
  std::set<std::string> distinct;
  for (const auto& [seed, digest] : digest_of_seed) distinct.insert(digest);
  EXPECT_EQ(distinct.size(), 4u) << "subsampling: every seed trains its own model";
  EXPECT_EQ(r["environment"]["xgboost"]["tree_method"], "hist");
  std::string markdown = *util::read_file(m_dir / "seedgate-summary.md");
  EXPECT_NE(markdown.find("### Feature importance (gain)"), std::string::npos);
  std::string junit = *util::read_file(m_dir / "seedgate-junit.xml");
  EXPECT_NE(junit.find("importance.kendall_tau_mean[mode=deterministic, device=cpu, threads=1]"), std::string::npos);
  EXPECT_TRUE(junit_valid("seedgate-junit.xml"));
  // Every kind the example uses (consistency among them) reads back.
  expect_round_trip("sweep/results.json", "seedgate-results.json");
}

TEST_F(XGBoostExampleTest, TheXGBoostProgramPassesItsPolicyWithTheSameMetrics) {
  if (!fs::exists("/usr/bin/xgboost"))
    GTEST_SKIP() << "the xgboost program (Debian's xgboost package) is not installed";
  write_example("xgboost-program.toml", 3);
  Outcome program = seedgate({"run", "--out", "program"});
  ASSERT_EQ(program.exit_code, 0) << program.out << program.err;
  EXPECT_NE(program.out.find("verdict: PASS"), std::string::npos) << program.out;
  nlohmann::json p = results("program/results.json");

  write_example("seedgate.toml", 3);
  Outcome in_process = seedgate({"run", "--out", "in-process"});
  ASSERT_EQ(in_process.exit_code, 0) << in_process.out << in_process.err;
  // Runs inside seedgate have no process, so no peak of their own: said, not shown as 0.0 MiB.
  EXPECT_NE(in_process.out.find("peak rss not measured"), std::string::npos) << in_process.out;
  // The program's runs have a peak: their own, or (below seedgate's own, as
  // under a sanitizer, whose shadow memory makes seedgate large) a bound.
  EXPECT_TRUE(program.out.find(" MiB\n") != std::string::npos ||
              program.out.find(" MiB (below seedgate's own)\n") != std::string::npos)
      << program.out;
  nlohmann::json q = results("in-process/results.json");
  // Same data, parameters and seeds: the same evaluation, run for run.
  ASSERT_EQ(p["runs"].size(), q["runs"].size());
  for (std::size_t i = 0; i < p["runs"].size(); ++i) {
    const nlohmann::json &a = p["runs"][i], &b = q["runs"][i];
    ASSERT_EQ(a["id"], b["id"]);
    EXPECT_EQ(a["metrics"]["test-error"], b["metrics"]["test-error"]) << a["id"];
    EXPECT_NEAR(a["metrics"]["test-logloss"].get<double>(), b["metrics"]["test-logloss"].get<double>(), 1e-15)
        << a["id"];
  }
}

TEST_F(XGBoostExampleTest, MalformedDataNamesTheFileAndLine) {
  std::string bad = (m_dir / "bad.csv").string();
  std::ofstream(bad) << "1,2,0\n3,oops,1\n";
  write_example(
      "seedgate.toml", 2,
      {{"train = \"" + std::string(EXAMPLES_DIR) + "/data/breast_cancer_train.csv\"", "train = \"" + bad + "\""}});
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_EQ(o.exit_code, 2) << o.out << o.err;
  EXPECT_EQ(o.err, "seedgate: " + bad + ":2: field 2 is not a number: 'oops'\n");
}

TEST_F(XGBoostExampleTest, AnXGBoostErrorFailsTheRunWithXGBoostsMessage) {
  write_example("seedgate.toml", 2, {{"objective = \"binary:logistic\"", "objective = \"binary:nonsense\""}});
  Outcome o = seedgate({"run", "--out", "sweep"});
  // Every run lost: the threshold counts them below its bounds, and a failed check wins over 3.
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  nlohmann::json r = results("sweep/results.json");
  for (const nlohmann::json& run : r["runs"]) {
    EXPECT_EQ(run["status"], "failed");
    std::string message = run["message"];
    EXPECT_NE(message.find("XGBoost: round 0: "), std::string::npos) << message;
    EXPECT_NE(message.find("binary:nonsense"), std::string::npos) << message;
  }
}

TEST_F(XGBoostExampleTest, EarlyStoppingStopsAndReportsTheBestRound) {
  write_example("seedgate.toml", 2, {{"rounds = 60", "rounds = 500\nearly_stopping_rounds = 5"}});
  Outcome o = seedgate({"run", "--out", "sweep"});
  nlohmann::json r = results("sweep/results.json");
  for (const nlohmann::json& run : r["runs"]) {
    ASSERT_EQ(run["status"], "passed") << run.dump();
    std::size_t rounds = run["series"]["test-logloss"].size();
    EXPECT_LT(rounds, 500u);
    EXPECT_EQ(run["metrics"]["best_iteration"].get<double>(), static_cast<double>(rounds - 6));
  }
}

}  // namespace
