// examples/python_*: Python programs using the seedgate package, through `seedgate run`.
//
// Each example's own policy is copied into the test's folder with its
// program's path made absolute (so the reports land there, not in the
// source tree), and run by the real seedgate binary with Debian's
// /usr/bin/python3 and the package from this repository (PYTHONPATH).
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "tests/integration/cli_fixture.hpp"

namespace {

using namespace seedgate_test;

// Skips the test unless /usr/bin/python3 can import every module named.
#define SKIP_UNLESS_PYTHON_IMPORTS(modules, packages)                                                                \
  do {                                                                                                               \
    if (std::system("/usr/bin/python3 -c 'import " modules "' >/dev/null 2>&1") != 0)                                \
      GTEST_SKIP() << "/usr/bin/python3 cannot import " modules " (install Debian's " packages "; ./build.sh does)"; \
  } while (false)

class PythonExamplesTest : public CliTest {
 protected:
  // examples/<example>/seedgate.toml as the test folder's seedgate.toml, with
  // `replacements` applied (each must occur), then train.py named by its
  // absolute path.
  void write_example_policy(const std::string& example,
                            const std::vector<std::pair<std::string, std::string>>& replacements = {}) {
    fs::path folder = fs::path(EXAMPLES_DIR) / example;
    auto text = util::read_file(folder / "seedgate.toml");
    ASSERT_TRUE(text) << example;
    std::string policy = *text;
    std::vector<std::pair<std::string, std::string>> all = replacements;
    all.emplace_back("\"train.py\"", fmt::format("\"{}\"", (folder / "train.py").string()));
    for (const auto& [from, to] : all) {
      std::size_t at = policy.find(from);
      ASSERT_NE(at, std::string::npos) << example << ": " << from;
      policy.replace(at, from.size(), to);
    }
    ASSERT_TRUE(util::write_file_atomic(m_dir / "seedgate.toml", policy));
  }

  Outcome run_sweep() { return seedgate({"run", "--out", "sweep"}, {std::string("PYTHONPATH=") + PYTHON_PACKAGE_DIR}); }

  // Every check in the results passed.
  static void expect_every_check_passes(const nlohmann::json& r) {
    ASSERT_FALSE(r["checks"].empty());
    for (const nlohmann::json& c : r["checks"]) EXPECT_EQ(c["verdict"], "pass") << c.dump(2);
  }

  // In deterministic mode, the repeats of each seed (on each thread count)
  // report the same digest for `artifact` and the same metrics; returns the
  // digests by seed, so a test can tell that seeds differ.
  static std::map<std::int64_t, std::set<std::string>> expect_repeats_agree(const nlohmann::json& r,
                                                                            const std::string& artifact) {
    std::map<std::tuple<std::int64_t, int>, std::vector<const nlohmann::json*>> repeats;
    for (const nlohmann::json& run : r["runs"])
      if (run["mode"] == "deterministic")
        repeats[{run["seed"].get<std::int64_t>(), run.value("threads", 0)}].push_back(&run);
    std::map<std::int64_t, std::set<std::string>> digests;
    EXPECT_FALSE(repeats.empty());
    for (const auto& [key, runs] : repeats) {
      EXPECT_GE(runs.size(), 2u) << "seed " << std::get<0>(key);
      for (const nlohmann::json* run : runs) {
        EXPECT_EQ(run->at("status"), "passed") << run->dump();
        if (!run->at("artifacts").contains(artifact)) {
          ADD_FAILURE() << "no artifact " << artifact << ": " << run->dump();
          continue;
        }
        EXPECT_EQ(run->at("artifacts")[artifact], runs.front()->at("artifacts")[artifact]) << run->dump();
        EXPECT_EQ(run->at("metrics"), runs.front()->at("metrics")) << run->dump();
        digests[std::get<0>(key)].insert(run->at("artifacts")[artifact].get<std::string>());
      }
    }
    return digests;
  }

  // A statistic's value from a check's statistics (NaN when missing).
  static double statistic(const nlohmann::json& check, const std::string& name, const std::string& group) {
    for (const nlohmann::json& s : check["statistics"])
      if (s["name"] == name && s.value("group", "") == group) return s["value"].get<double>();
    ADD_FAILURE() << "no statistic " << name << " for " << group << " in " << check.dump(2);
    return std::nan("");
  }
};

TEST_F(PythonExamplesTest, TorchDigitsPassesAndDeterministicModeReproducesBitForBit) {
  SKIP_UNLESS_PYTHON_IMPORTS("torch, sklearn", "python3-torch and python3-sklearn");
  write_example_policy("python_torch_digits");
  Outcome o = run_sweep();
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("verdict: PASS"), std::string::npos) << o.out;
  nlohmann::json r = results("sweep/results.json");
  expect_every_check_passes(r);
  ASSERT_EQ(r["runs"].size(), 24u);  // the policy's 6 seeds x 2 modes x 2 repeats, on one thread
  std::map<std::int64_t, std::set<std::string>> digests = expect_repeats_agree(r, "weights");
  std::set<std::string> all;
  for (const auto& [seed, seen] : digests) all.insert(seen.begin(), seen.end());
  EXPECT_EQ(all.size(), digests.size()) << "every seed its own weights";
  std::map<std::string, double> test_loss_sum;
  for (const nlohmann::json& run : r["runs"]) {
    EXPECT_EQ(run["status"], "passed") << run.dump();
    // What configure() set, as the env record says.
    EXPECT_EQ(run["env"]["deterministic_algorithms"], run["mode"] == "deterministic" ? "error" : "off") << run.dump();
    EXPECT_EQ(run["env"]["intra_op_threads"], "1") << run.dump();
    EXPECT_EQ(run["env"]["adapter"], "seedgate (python)") << run.dump();
    if (run["repeat"] == 0) test_loss_sum[run["mode"].get<std::string>()] += run["metrics"]["test_loss"].get<double>();
  }
  // seedgate's log-loss of each seed's written probabilities is the program's
  // own test loss (torch's cross_entropy), up to the probabilities' float32.
  const nlohmann::json& ensemble = check(r, "ensemble-log-loss");
  for (const char* mode : {"deterministic", "default"}) {
    std::string group = fmt::format("mode={}, device=cpu, threads=1", mode);
    EXPECT_NEAR(statistic(ensemble, "mean_seed", group), test_loss_sum[mode] / 6, 1e-5) << group;
    EXPECT_GT(statistic(ensemble, "gain", group), 0) << group;
  }
  EXPECT_FALSE(r["environment"]["python"]["torch"].get<std::string>().empty()) << r["environment"].dump(2);
  EXPECT_TRUE(junit_valid("seedgate-junit.xml"));
}

TEST_F(PythonExamplesTest, TorchDigitsPlantedNondeterministicOpIsReportedByName) {
  SKIP_UNLESS_PYTHON_IMPORTS("torch, sklearn", "python3-torch and python3-sklearn");
  write_example_policy("python_torch_digits", {{"\"train.py\"]", "\"train.py\", \"--plant-nondeterministic-op\"]"},
                                               {"seeds = 6", "seeds = 2"}});
  Outcome o = run_sweep();
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;  // a failed check, not "could not evaluate"
  EXPECT_NE(o.out.find("violated    s0-deterministic-cpu-t1-r0: determinism violation: put_ does not have a "
                       "deterministic implementation"),
            std::string::npos)
      << o.out;
  nlohmann::json r = results("sweep/results.json");
  const nlohmann::json& reproducibility = check(r, "reproducibility");
  EXPECT_EQ(reproducibility["verdict"], "fail");
  // Every deterministic run is named with the op (after the note that none
  // reported the weights' digest).
  std::set<std::string> messages;
  for (const nlohmann::json& message : reproducibility["messages"]) messages.insert(message.get<std::string>());
  for (int seed : {0, 1})
    for (int repeat : {0, 1})
      EXPECT_TRUE(
          messages.count(fmt::format("seed {} (mode=deterministic, device=cpu, threads=1): repeat {} stopped on "
                                     "a determinism violation: put_ does not have a deterministic "
                                     "implementation",
                                     seed, repeat)))
          << reproducibility.dump(2);
  // Default mode allows the op: those runs finish and are judged as usual.
  ASSERT_EQ(r["runs"].size(), 8u);  // 2 seeds x 2 modes x 2 repeats
  for (const nlohmann::json& run : r["runs"])
    EXPECT_EQ(run["status"], run["mode"] == "deterministic" ? "violated" : "passed") << run.dump();
  for (const char* name : {"threshold-accuracy", "variance-accuracy", "seed-sensitivity"})
    EXPECT_EQ(check(r, name)["verdict"], "pass") << check(r, name).dump(2);
  EXPECT_TRUE(junit_valid("seedgate-junit.xml"));
}

TEST_F(PythonExamplesTest, SklearnForestPassesWithTheSameForestOnEveryRepeat) {
  SKIP_UNLESS_PYTHON_IMPORTS("sklearn", "python3-sklearn");
  write_example_policy("python_sklearn_forest");
  Outcome o = run_sweep();
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results("sweep/results.json");
  expect_every_check_passes(r);
  ASSERT_EQ(r["runs"].size(), 16u);  // 8 seeds x 2 repeats
  std::map<std::int64_t, std::set<std::string>> digests = expect_repeats_agree(r, "model");
  EXPECT_EQ(digests.size(), 8u);
  std::set<std::string> all;
  for (const auto& [seed, seen] : digests) all.insert(seen.begin(), seen.end());
  EXPECT_EQ(all.size(), 8u) << "random_state follows the seed";
  for (const nlohmann::json& run : r["runs"]) {
    double accuracy = run["metrics"]["accuracy"];
    EXPECT_GT(accuracy, 0.9) << run.dump();
    EXPECT_LE(accuracy, 1.0) << run.dump();
  }
  // The seeds' forests disagree on some test digits; repeats never do.
  const nlohmann::json& churn = check(r, "churn");
  EXPECT_GT(statistic(churn, "churn", "mode=deterministic, device=cpu"), 0);
  EXPECT_EQ(statistic(churn, "churn_repeats", "mode=deterministic, device=cpu"), 0);
}

TEST_F(PythonExamplesTest, XGBoostPassesWithTheSameModelOnEveryRepeatAndThreadCount) {
  SKIP_UNLESS_PYTHON_IMPORTS("xgboost, sklearn", "python3-xgboost and python3-sklearn");
  write_example_policy("python_xgboost");
  Outcome o = run_sweep();
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  nlohmann::json r = results("sweep/results.json");
  expect_every_check_passes(r);
  ASSERT_EQ(r["runs"].size(), 24u);  // 6 seeds x threads 1, 2 x 2 repeats
  std::map<std::int64_t, std::set<std::string>> digests = expect_repeats_agree(r, "model");
  for (const auto& [seed, seen] : digests) EXPECT_EQ(seen.size(), 1u) << "seed " << seed << ": 1 and 2 threads";
  for (const nlohmann::json& run : r["runs"]) {
    // params() and the callback's env record: the run's seed and threads.
    EXPECT_EQ(run["env"]["seed"], std::to_string(run["seed"].get<std::int64_t>())) << run.dump();
    EXPECT_EQ(run["env"]["nthread"], std::to_string(run["threads"].get<int>())) << run.dump();
    EXPECT_EQ(run["env"]["tree_method"], "hist") << run.dump();
    for (const char* metric : {"test-logloss", "test-error", "train-logloss", "train-error", "accuracy"})
      EXPECT_TRUE(run["metrics"].contains(metric)) << metric << ": " << run.dump();
    // The callback's last round against the program's own accuracy.
    EXPECT_NEAR(run["metrics"]["test-error"].get<double>(), 1 - run["metrics"]["accuracy"].get<double>(), 1e-12);
  }
}

// The Python example and the in-process example (examples/breast_cancer_xgboost,
// XGBoost's C API inside seedgate) train the same model on the same split with
// the same parameters: the callback reports what seedgate::xgboost reports,
// seed by seed.
TEST_F(PythonExamplesTest, XGBoostCallbackReportsWhatTheInProcessAdapterReports) {
  SKIP_UNLESS_PYTHON_IMPORTS("xgboost, sklearn", "python3-xgboost and python3-sklearn");
  std::string in_process = *util::read_file(fs::path(EXAMPLES_DIR) / "breast_cancer_xgboost" / "seedgate.toml");
  std::string data = (fs::path(EXAMPLES_DIR) / "data").string();
  for (std::size_t at = in_process.find("../data"); at != std::string::npos; at = in_process.find("../data", at))
    in_process.replace(at, 7, data);
  std::size_t seeds = in_process.find("seeds = 16");
  ASSERT_NE(seeds, std::string::npos);
  in_process.replace(seeds, 10, "seeds = 6");
  ASSERT_TRUE(util::write_file_atomic(m_dir / "in-process.toml", in_process));
  Outcome reference = seedgate({"run", "-p", "in-process.toml", "--out", "in-process"});
  if (reference.exit_code == 2 &&
      reference.err.find("adapter 'xgboost' is not available in this build") != std::string::npos)
    GTEST_SKIP() << "this seedgate was built without XGBoost (Debian's libxgboost-dev)";
  ASSERT_EQ(reference.exit_code, 0) << reference.out << reference.err;

  write_example_policy("python_xgboost");
  Outcome o = run_sweep();
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;

  using Key = std::tuple<std::int64_t, int, int>;  // seed, threads, repeat
  auto metrics_by_run = [&](const std::string& file) {
    std::map<Key, nlohmann::json> by_run;
    nlohmann::json r = results(file);
    for (const nlohmann::json& run : r["runs"])
      by_run[{run["seed"].get<std::int64_t>(), run["threads"].get<int>(), run["repeat"].get<int>()}] = run["metrics"];
    return by_run;
  };
  std::map<Key, nlohmann::json> cpp = metrics_by_run("in-process/results.json");
  std::map<Key, nlohmann::json> python = metrics_by_run("sweep/results.json");
  ASSERT_EQ(python.size(), 24u);
  ASSERT_EQ(cpp.size(), python.size());
  std::set<double> losses;
  for (const auto& [key, metrics] : python) {
    ASSERT_TRUE(cpp.count(key)) << std::get<0>(key);
    for (const char* metric : {"test-logloss", "test-error"})
      EXPECT_EQ(metrics[metric], cpp[key][metric])
          << metric << " of seed " << std::get<0>(key) << ", threads " << std::get<1>(key);
    losses.insert(metrics["test-logloss"].get<double>());
  }
  EXPECT_EQ(losses.size(), 6u) << "one test loss per seed";
}

TEST_F(PythonExamplesTest, EveryExampleLintsCleanAndItsPolicyToo) {
  for (const char* example : {"python_torch_digits", "python_sklearn_forest", "python_xgboost"}) {
    fs::path folder = fs::path(EXAMPLES_DIR) / example;
    Outcome lint = seedgate({"lint", folder.string()});
    EXPECT_EQ(lint.exit_code, 0) << example << "\n" << lint.out << lint.err;
    EXPECT_NE(lint.out.find("0 findings"), std::string::npos) << example << "\n" << lint.out;
    Outcome policy = seedgate({"policy", "lint", "-p", (folder / "seedgate.toml").string()});
    EXPECT_EQ(policy.exit_code, 0) << example << "\n" << policy.out << policy.err;
    EXPECT_NE(policy.out.find(", 0 warnings)"), std::string::npos) << example << "\n" << policy.out << policy.err;
  }
}

}  // namespace
