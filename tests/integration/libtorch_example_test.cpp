// End to end with LibTorch: the real seedgate binary sweeps the real
// digits_torch example (adapter = "libtorch") from its own policy, with fewer
// seeds so the test stays short.
#include <map>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

class LibTorchExampleTest : public CliTest {
 protected:
  // The example's policy with the binary and data made absolute, `seeds`
  // seeds, and `extra_args` added to the command.
  void write_example_policy(int seeds, const std::string& extra_args) {
    std::string policy = *util::read_file(fs::path(EXAMPLES_DIR) / "digits_torch" / "seedgate.toml");
    auto replace = [&](const std::string& from, const std::string& to) {
      std::size_t at = policy.find(from);
      ASSERT_NE(at, std::string::npos) << from;
      policy.replace(at, from.size(), to);
    };
    replace("\"../../build/examples/digits_torch/digits_torch\"", fmt::format("\"{}\"", DIGITS_TORCH));
    replace("\"../data/digits.csv\"", fmt::format("\"{}/data/digits.csv\"{}", EXAMPLES_DIR, extra_args));
    replace("seeds = 6", fmt::format("seeds = {}", seeds));
    ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", policy));
  }
};

TEST_F(LibTorchExampleTest, SweepPassesAndDeterministicModeReproducesBitForBit) {
  write_example_policy(3, "");
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("verdict: PASS"), std::string::npos) << o.out;
  nlohmann::json r = results("seedgate-results.json");
  EXPECT_EQ(check(r, "reproducibility")["verdict"], "pass");
  EXPECT_EQ(check(r, "consistency")["verdict"], "pass");
  EXPECT_EQ(check(r, "seed-sensitivity")["verdict"], "pass");
  // 3 seeds x 2 modes x 2 thread counts x 2 repeats, every one with the digest seedgate::torch reported.
  ASSERT_EQ(r["runs"].size(), 24u);
  for (const nlohmann::json& run : r["runs"]) {
    EXPECT_EQ(run["status"], "passed") << run.dump();
    EXPECT_TRUE(run["artifacts"].contains("weights")) << run.dump();
    EXPECT_EQ(run["env"]["deterministic_algorithms"], run["mode"] == "deterministic" ? "error" : "off");
    EXPECT_EQ(run["env"]["intra_op_threads"], std::to_string(run["threads"].get<int>()));
  }
  EXPECT_FALSE(r["environment"]["libtorch"]["torch"].get<std::string>().empty());
  // From the test-set probabilities each run wrote: averaging the seeds gains
  // on log-loss, and seeds disagree on some digits.
  const nlohmann::json& ensemble = check(r, "ensemble-log-loss");
  EXPECT_EQ(ensemble["verdict"], "pass") << ensemble.dump(2);
  const nlohmann::json& churn = check(r, "churn");
  EXPECT_EQ(churn["verdict"], "pass") << churn.dump(2);
  std::map<std::string, double> test_loss_sum;
  for (const nlohmann::json& run : r["runs"])
    if (run["repeat"] == 0)
      test_loss_sum[fmt::format("mode={}, device=cpu, threads={}", run["mode"].get<std::string>(),
                                run["threads"].get<int>())] += run["metrics"]["test_loss"].get<double>();
  for (const nlohmann::json& s : ensemble["statistics"]) {
    if (s["name"] == "gain") {
      EXPECT_GT(s["value"].get<double>(), 0) << s.dump();
    }
    // seedgate's log-loss of each seed's predictions is the program's own test loss.
    if (s["name"] == "mean_seed") {
      EXPECT_NEAR(s["value"].get<double>(), test_loss_sum[s["group"]] / 3, 1e-5) << s.dump();
    }
  }
  for (const nlohmann::json& s : churn["statistics"]) {
    if (s["name"] == "churn") {
      EXPECT_GT(s["value"].get<double>(), 0) << s.dump();
    }
  }
  EXPECT_TRUE(junit_valid("seedgate-junit.xml"));
  expect_round_trip("sweep/results.json", "seedgate-results.json");
}

TEST_F(LibTorchExampleTest, PlantedNondeterministicOpIsReportedByName) {
  write_example_policy(2, ", \"--plant-nondeterministic-op\", \"--epochs\", \"3\"");
  Outcome o = seedgate({"run", "--out", "sweep"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;  // a failed check, not "could not evaluate"
  EXPECT_NE(o.out.find("violated    s0-deterministic-cpu-t1-r0: determinism violation: put_ does not have a "
                       "deterministic implementation"),
            std::string::npos)
      << o.out;
  nlohmann::json r = results("seedgate-results.json");
  const nlohmann::json& reproducibility = check(r, "reproducibility");
  EXPECT_EQ(reproducibility["verdict"], "fail");
  EXPECT_EQ(reproducibility["messages"][0],
            "seed 0 (mode=deterministic, device=cpu, threads=1): repeat 0 stopped on a determinism violation: put_ "
            "does not have a deterministic implementation");
  // Default mode allows the op: those runs finish and are judged as usual.
  for (const nlohmann::json& run : r["runs"])
    EXPECT_EQ(run["status"], run["mode"] == "deterministic" ? "violated" : "passed") << run.dump();
  EXPECT_TRUE(junit_valid("seedgate-junit.xml"));
}

}  // namespace
