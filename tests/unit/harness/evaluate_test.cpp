#include "harness/evaluate.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "checks/intervals.hpp"
#include "checks/sequential.hpp"

namespace seedgate {
namespace {

TEST(EnvironmentDifferencesTest, NamesHardwareAndLibraryChanges) {
  nlohmann::json baseline = {{"host", "a"},
                             {"cpu", "Intel Xeon"},
                             {"gpus", nlohmann::json::array()},
                             {"libraries", {{"fmt", "9.1.0"}}},
                             {"program", {{"torch", "1.13.1"}}}};
  nlohmann::json candidate = baseline;
  candidate["host"] = "b";  // another runner of the same kind is not a difference
  EXPECT_TRUE(environment_differences(baseline, candidate).empty());
  candidate["cpu"] = "AMD EPYC";
  candidate["program"]["torch"] = "2.1.0";
  candidate["program"]["cuda"] = "12.1";
  EXPECT_EQ(environment_differences(baseline, candidate),
            (std::vector<std::string>{"cpu: Intel Xeon (baseline) vs AMD EPYC", "program.cuda: none (baseline) vs 12.1",
                                      "program.torch: 1.13.1 (baseline) vs 2.1.0"}));
}

TEST(EnvironmentDifferencesTest, NamesThePythonPackageAndXGBoostThatChanged) {
  nlohmann::json baseline = {
      {"python", {{"version", "3.11.2"}, {"sklearn", "1.2.1"}, {"executable", "/builds/a/.venv/bin/python"}}},
      {"xgboost", {{"version", "1.7.4"}}}};
  nlohmann::json candidate = baseline;
  candidate["python"]["executable"] = "/builds/b/.venv/bin/python";  // another checkout, the same interpreter
  EXPECT_TRUE(environment_differences(baseline, candidate).empty());
  candidate["python"]["version"] = "3.12.1";
  candidate["python"]["sklearn"] = "1.3.0";
  candidate["python"]["torch"] = "2.1.0";
  candidate["xgboost"]["version"] = "2.0.3";
  EXPECT_EQ(environment_differences(baseline, candidate),
            (std::vector<std::string>{
                "xgboost.version: 1.7.4 (baseline) vs 2.0.3", "python.sklearn: 1.2.1 (baseline) vs 1.3.0",
                "python.torch: none (baseline) vs 2.1.0", "python.version: 3.11.2 (baseline) vs 3.12.1"}));
  // Results from before the interpreter was asked have no "python": not a difference.
  baseline.erase("python");
  EXPECT_EQ(environment_differences(baseline, candidate),
            (std::vector<std::string>{"xgboost.version: 1.7.4 (baseline) vs 2.0.3"}));
}

// Five runs whose accuracies put the mean's bounds across a bound of 0.95.
SweepResults straddling(const std::vector<std::size_t>& looks) {
  SweepResults results;
  results.seedgate_version = "test";
  results.sequential = {looks, 0, "pocock"};
  for (int seed = 0; seed < 5; ++seed) {
    RunRecord r;
    r.run = {"s" + std::to_string(seed), seed, "deterministic", "cpu", 0, 0};
    r.report.metrics["accuracy"] = 0.94 + 0.005 * seed;
    results.runs.push_back(r);
    results.seeds.push_back(seed);
  }
  return results;
}

Policy sequential_policy(const std::string& extra_check = "") {
  auto policy = parse_policy(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = { start = 0, count = 5, max = 10 }
[metrics.accuracy]
goal = "max"
[[check]]
kind = "threshold"
metric = "accuracy"
mean_at_least = 0.95
confidence = 0.95
inconclusive = "more-seeds"
)" + extra_check,
                             "seedgate.toml", std::filesystem::temp_directory_path());
  EXPECT_TRUE(policy) << policy.error();
  return *policy;
}

TEST(EvaluatePolicyTest, AnUnfinishedSequentialSweepCannotBeJudged) {
  Policy policy = sequential_policy();
  SweepResults results = straddling({5, 10});
  EXPECT_TRUE(wants_more_seeds(policy, results));
  Evaluation evaluation = evaluate_policy(policy, results);
  EXPECT_EQ(evaluation.exit_code, 3);
  const CheckResult& c = results.checks.at(0);
  EXPECT_EQ(c.outcome.verdict, checks::Verdict::inconclusive);
  EXPECT_EQ(c.counted_as, checks::Verdict::error);
  // The first look tests at the exact Pocock-type boundary for looks at 5
  // and 10 seeds (checks/sequential, tested against published tables).
  EXPECT_EQ(c.outcome.notes,
            (std::vector<std::string>{
                fmt::format("look 1 of 2 (5 seeds): pocock boundary, each bound at {:.4g}% confidence for 5% over "
                            "all looks",
                            100 * (1 - checks::look_alpha(checks::Spending::pocock, 0.05, {5, 10}, 0))),
                "the sequential sweep stopped before its last look; finish it with `seedgate run --resume`"}));
}

TEST(EvaluatePolicyTest, TheLastLookCountsUndecidedAsFailed) {
  Policy policy = sequential_policy();
  SweepResults results = straddling({5});
  EXPECT_FALSE(wants_more_seeds(policy, results));
  EXPECT_EQ(evaluate_policy(policy, results).exit_code, 1);
  EXPECT_EQ(results.checks.at(0).counted_as, checks::Verdict::fail);
  EXPECT_EQ(results.checks[0].outcome.notes,
            (std::vector<std::string>{"still inconclusive after 5 seeds, the most the policy allows"}));
}

TEST(EvaluatePolicyTest, RegressionNotesADifferentEnvironment) {
  SweepResults baseline = straddling({});
  baseline.environment = {{"cpu", "Intel Xeon"}};
  auto path = std::filesystem::temp_directory_path() / "seedgate-evaluate-baseline.json";
  ASSERT_TRUE(save_results(path, baseline));
  Policy policy = sequential_policy(fmt::format(R"([[check]]
kind = "regression"
metric = "accuracy"
baseline = "{}"
margin = 0.01
)",
                                                path.string()));
  SweepResults candidate = straddling({});
  candidate.environment = {{"cpu", "AMD EPYC"}};
  evaluate_policy(policy, candidate);
  EXPECT_EQ(candidate.checks.at(1).outcome.verdict, checks::Verdict::pass);
  EXPECT_EQ(candidate.checks[1].outcome.notes,
            (std::vector<std::string>{
                "baseline and candidate ran on different environments: cpu: Intel Xeon (baseline) vs AMD EPYC"}));
}

}  // namespace
}  // namespace seedgate

namespace seedgate {
namespace {

// Two seeds, two repeats each; repeat 1 of seed 0 stopped on put_.
SweepResults with_a_violation() {
  SweepResults results;
  for (int seed = 0; seed < 2; ++seed) {
    for (int repeat = 0; repeat < 2; ++repeat) {
      RunRecord r;
      r.run = {fmt::format("s{}-r{}", seed, repeat), seed, "deterministic", "cpu", 0, repeat};
      r.report.metrics["accuracy"] = 0.9 + 0.01 * seed;
      r.report.digests["weights"] = fmt::format("xxh3:{}", seed);
      if (seed == 0 && repeat == 1) {
        r.status = RunStatus::violated;
        r.message = "determinism violation: put_ does not have a deterministic implementation";
        r.report.metrics.clear();
        r.report.digests.clear();
        r.report.events.push_back({"nondeterministic-op", "put_ does not have a deterministic implementation"});
      }
      results.runs.push_back(r);
    }
  }
  return results;
}

Policy policy_with_checks(const std::string& checks) {
  auto policy = parse_policy(
      "version = 1\n[subject]\ncommand = [\"x\"]\n[sweep]\nseeds = 2\nrepeats = 2\n"
      "[metrics.accuracy]\ngoal = \"max\"\n" +
          checks,
      "seedgate.toml", std::filesystem::temp_directory_path());
  EXPECT_TRUE(policy) << policy.error();
  return *policy;
}

TEST(EvaluatePolicyTest, AViolationFailsTheReproducibilityCheckThatSeesIt) {
  Policy policy = policy_with_checks("[[check]]\nkind = \"reproducibility\"\n");
  SweepResults results = with_a_violation();
  Evaluation evaluation = evaluate_policy(policy, results);
  EXPECT_EQ(evaluation.exit_code, 1);
  EXPECT_TRUE(evaluation.errors.empty());  // a finding, not a run that could not be judged
  EXPECT_EQ(results.checks.at(0).outcome.messages,
            (std::vector<std::string>{"seed 0 (mode=deterministic, device=cpu): repeat 1 stopped on a determinism "
                                      "violation: put_ does not have a deterministic implementation"}));
}

TEST(EvaluatePolicyTest, AViolationNoCheckJudgesIsAFailedRun) {
  Policy policy = policy_with_checks("[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.5\n");
  SweepResults results = with_a_violation();
  Evaluation evaluation = evaluate_policy(policy, results);
  EXPECT_EQ(evaluation.exit_code, 3);
  EXPECT_EQ(evaluation.errors, (std::vector<std::string>{"1 run failed; the policy allows 0 (allowed_failures)"}));
  EXPECT_EQ(results.checks.at(0).outcome.verdict, checks::Verdict::pass);
}

}  // namespace
}  // namespace seedgate

namespace seedgate {
namespace {

// Five seeds at 0.94, 0.945, ..., 0.96: mean 0.95, 95% lower bound 0.9425,
// 97.5% lower bound 0.9402 (t on 4 degrees of freedom).
SweepResults five_seeds() {
  SweepResults results = straddling({});
  results.sequential = {};
  return results;
}

Policy fixed_policy(const std::string& statistics, const std::string& checks) {
  auto policy = parse_policy(fmt::format(R"(version = 1
[subject]
command = ["x"]
[sweep]
seeds = 5
[metrics.accuracy]
goal = "max"
[statistics]
{}
{})",
                                         statistics, checks),
                             "seedgate.toml", std::filesystem::temp_directory_path());
  EXPECT_TRUE(policy) << policy.error();
  return *policy;
}

std::string mean_check(double bound, const std::string& inconclusive = "fail") {
  return fmt::format(
      "[[check]]\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = {}\nconfidence = 0.95\ninconclusive = "
      "\"{}\"\n",
      bound, inconclusive);
}

TEST(EvaluatePolicyTest, InconclusivePassStillFailsAnEstimatePastTheBound) {
  // The mean 0.95 is below 0.951, and the interval straddles it.
  Policy policy = fixed_policy("", mean_check(0.951, "pass") + mean_check(0.949, "pass"));
  SweepResults results = five_seeds();
  EXPECT_EQ(evaluate_policy(policy, results).exit_code, 1);
  EXPECT_EQ(results.checks.at(0).outcome.verdict, checks::Verdict::inconclusive);
  EXPECT_EQ(results.checks[0].counted_as, checks::Verdict::fail);
  EXPECT_EQ(results.checks[0].outcome.notes.back(),
            "counted as a failure although inconclusive = \"pass\": the estimate is already past the bound");
  // The estimate on the right side: "pass" gives the benefit of the doubt.
  EXPECT_EQ(results.checks.at(1).outcome.verdict, checks::Verdict::inconclusive);
  EXPECT_EQ(results.checks[1].counted_as, checks::Verdict::pass);
}

TEST(EvaluatePolicyTest, HolmJudgesEachCheckAtItsShareOfTheErrorRate) {
  // 0.941 passes at 95% alone (lower bound 0.9425) but not at 97.5% (0.9402).
  SweepResults alone = five_seeds();
  evaluate_policy(fixed_policy("", mean_check(0.941) + mean_check(0.949)), alone);
  EXPECT_EQ(alone.checks.at(0).outcome.verdict, checks::Verdict::pass);
  // Holm over two open checks: 97.5% each, and the other one never closes.
  SweepResults holm = five_seeds();
  evaluate_policy(fixed_policy("family = \"holm\"", mean_check(0.941) + mean_check(0.949)), holm);
  EXPECT_EQ(holm.checks.at(0).outcome.verdict, checks::Verdict::inconclusive);
  EXPECT_NEAR(*holm.checks[0].outcome.confidence, 0.975, 1e-12);
  EXPECT_EQ(holm.checks[0].outcome.notes,
            (std::vector<std::string>{"Holm's step-down over 2 open checks with confidence: judged at 97.5% confidence",
                                      "Holm's correction across the policy's 2 checks with confidence"}));
  // Step-down: the clear check passes at 97.5% and closes; the other is then judged at 95%.
  SweepResults step = five_seeds();
  evaluate_policy(fixed_policy("family = \"holm\"", mean_check(0.941) + mean_check(0.90)), step);
  EXPECT_EQ(step.checks.at(1).outcome.verdict, checks::Verdict::pass);
  EXPECT_EQ(step.checks.at(0).outcome.verdict, checks::Verdict::pass);
  EXPECT_NEAR(*step.checks[0].outcome.confidence, 0.95, 1e-12);
}

TEST(EvaluatePolicyTest, ACheckDecidedAtAnEarlierLookStaysDecided) {
  Policy policy = sequential_policy();
  // Ten seeds: the first five clearly above 0.95, the next five far below.
  SweepResults results = straddling({5, 10});
  for (int seed = 0; seed < 10; ++seed) {
    if (seed >= 5) {
      RunRecord r;
      r.run = {"s" + std::to_string(seed), seed, "deterministic", "cpu", 0, 0};
      results.runs.push_back(r);
      results.seeds.push_back(seed);
    }
    results.runs[static_cast<std::size_t>(seed)].report.metrics["accuracy"] = seed < 5 ? 0.99 + 0.001 * seed : 0.5;
  }
  results.sequential.look = 1;
  evaluate_policy(policy, results);
  const CheckResult& c = results.checks.at(0);
  EXPECT_EQ(c.outcome.verdict, checks::Verdict::pass);
  EXPECT_EQ(c.outcome.notes.back(), "decided at look 1 on its first 5 seeds");
  EXPECT_EQ(c.outcome.seeds.size(), 5u);
}

}  // namespace
}  // namespace seedgate

namespace seedgate {
namespace {

// Futility: a sequential sweep stops once some check fails in a way later seeds cannot undo.

constexpr std::string_view kFourLooks = "seeds = { start = 0, count = 5, max = 20 }";

Policy four_look_policy(const std::string& checks, const std::string& statistics = "",
                        const std::string& sweep_extra = "", const std::string& subject_extra = "") {
  auto policy = parse_policy(fmt::format(R"(version = 1
[subject]
command = ["x"]
{}
[sweep]
{}
{}
[metrics.accuracy]
goal = "max"
[statistics]
{}
{})",
                                         subject_extra, kFourLooks, sweep_extra, statistics, checks),
                             "seedgate.toml", std::filesystem::temp_directory_path());
  EXPECT_TRUE(policy) << policy.error();
  return *policy;
}

std::string check_toml(const std::string& name, const std::string& kind, const std::string& keys,
                       const std::string& inconclusive = "more-seeds") {
  return fmt::format(
      "[[check]]\nname = \"{}\"\nkind = \"{}\"\nmetric = \"accuracy\"\n{}\nconfidence = 0.95\ninconclusive = "
      "\"{}\"\n",
      name, kind, keys, inconclusive);
}

// The first look (5 seeds) of a sweep planned for 5, 10, 15 and 20 seeds,
// with these accuracies.
SweepResults first_look(const std::vector<double>& accuracies) {
  SweepResults results;
  results.seedgate_version = "test";
  results.sequential = {{5, 10, 15, 20}, 0, "pocock"};
  for (std::size_t i = 0; i < accuracies.size(); ++i) {
    auto seed = static_cast<std::int64_t>(i);
    RunRecord r;
    r.run = {"s" + std::to_string(seed), seed, "deterministic", "cpu", 0, 0};
    r.report.metrics["accuracy"] = accuracies[i];
    results.runs.push_back(r);
    results.seeds.push_back(seed);
  }
  return results;
}

// Accuracies 0.800, 0.801, ..., 0.804: mean 0.802, sd 0.00158. Against
// mean_at_least 0.95 the mean's upper bound (t on 4 degrees of freedom) is
// far below at any confidence; against std_at_most 0.002 the chi-square
// bounds of sigma on 4 degrees of freedom straddle it at every level a look
// uses: at 95% each side already [0.00103, 0.00375] (scipy.stats.chi2), and
// a look's smaller error rate, or the slack for values on a 0.001 step, only
// widens them.
SweepResults clearly_below() {
  return first_look({0.800, 0.801, 0.802, 0.803, 0.804});
}

const std::string kMeanFails = check_toml("mean", "threshold", "mean_at_least = 0.95");
const std::string kStdOpen = check_toml("spread", "variance", "std_at_most = 0.002");

TEST(FutilityTest, ACheckFailedAtTheFirstLookStopsTheSweepWithAnotherStillOpen) {
  Policy policy = four_look_policy(kMeanFails + kStdOpen);
  SweepResults results = clearly_below();
  NextLook next = next_look(policy, results);
  EXPECT_FALSE(next.more_seeds);
  ASSERT_TRUE(next.futility);
  EXPECT_EQ(next.futility->check, "mean");
  EXPECT_EQ(next.futility->reason,
            "failed at look 1 of 4 (5 seeds) at the pocock boundary, and a look's verdict stands at every later look");
  EXPECT_FALSE(wants_more_seeds(policy, results));

  Evaluation evaluation = evaluate_policy(policy, results);
  EXPECT_EQ(evaluation.exit_code, 1);
  EXPECT_EQ(results.verdict, SweepVerdict::fail);
  EXPECT_EQ(results.checks.at(0).outcome.verdict, checks::Verdict::fail);
  EXPECT_EQ(results.checks[0].counted_as, checks::Verdict::fail);
  const CheckResult& spread = results.checks.at(1);
  EXPECT_EQ(spread.outcome.verdict, checks::Verdict::inconclusive);
  EXPECT_EQ(spread.outcome.notes.back(),
            "not finished: the sweep stopped at look 1 of 4 (5 seeds) because check 'mean' fails at any later look");
}

TEST(FutilityTest, AFailureDecidedAtAnEarlierLookStillStopsTheSweep) {
  // Look 2 of 4: the first five seeds failed the mean at look 1, the next
  // five are as spread, and the spread check is still open on all ten.
  Policy policy = four_look_policy(kMeanFails + kStdOpen);
  SweepResults results = first_look({0.800, 0.801, 0.802, 0.803, 0.804, 0.800, 0.801, 0.802, 0.803, 0.804});
  results.sequential.look = 1;
  NextLook next = next_look(policy, results);
  EXPECT_FALSE(next.more_seeds);
  ASSERT_TRUE(next.futility);
  EXPECT_EQ(next.futility->reason,
            "failed at look 1 of 4 (5 seeds) at the pocock boundary, and a look's verdict stands at every later look");
  evaluate_policy(policy, results);
  EXPECT_EQ(results.verdict, SweepVerdict::fail);
  EXPECT_EQ(results.checks.at(1).outcome.verdict, checks::Verdict::inconclusive);
  EXPECT_EQ(results.checks[1].outcome.notes.back(),
            "not finished: the sweep stopped at look 2 of 4 (10 seeds) because check 'mean' fails at any later look");
}

TEST(FutilityTest, AnOpenCheckWithNothingFailedAsksForMoreSeeds) {
  // The same spread check on the same seeds, the mean now clearly above its bound.
  Policy policy = four_look_policy(check_toml("mean", "threshold", "mean_at_least = 0.70") + kStdOpen);
  SweepResults results = clearly_below();
  NextLook next = next_look(policy, results);
  EXPECT_TRUE(next.more_seeds);
  EXPECT_FALSE(next.futility);
  Evaluation evaluation = evaluate_policy(policy, results);
  EXPECT_EQ(evaluation.exit_code, 3);
  EXPECT_EQ(results.checks.at(0).outcome.verdict, checks::Verdict::pass);
  EXPECT_EQ(results.checks.at(1).outcome.notes.back(),
            "the sequential sweep stopped before its last look; finish it with `seedgate run --resume`");
}

TEST(FutilityTest, FailuresMoreSeedsCanUndoDoNotStopTheSweep) {
  // An inconclusive check counted as a failure (inconclusive = "fail") and a
  // point estimate without confidence (the mean 0.802 below 0.9) fail at this
  // look, but more seeds can turn either: the open spread check still asks.
  std::string counted = check_toml("counted", "variance", "std_at_most = 0.002", "fail");
  std::string point = "[[check]]\nname = \"point\"\nkind = \"threshold\"\nmetric = \"accuracy\"\nmean_at_least = 0.9\n";
  Policy policy = four_look_policy(counted + point + kStdOpen);
  SweepResults results = clearly_below();
  NextLook next = next_look(policy, results);
  EXPECT_TRUE(next.more_seeds);
  EXPECT_FALSE(next.futility);
  evaluate_policy(policy, results);
  EXPECT_EQ(results.checks.at(0).outcome.verdict, checks::Verdict::inconclusive);
  EXPECT_EQ(results.checks[0].counted_as, checks::Verdict::fail);
  EXPECT_EQ(results.checks.at(1).outcome.verdict, checks::Verdict::fail);
  EXPECT_EQ(results.checks.at(2).outcome.notes.back(),
            "the sequential sweep stopped before its last look; finish it with `seedgate run --resume`");
}

TEST(FutilityTest, HolmCountsOnlyAFailureAtItsFirstStepShare) {
  // Three checks with confidence under Holm, all sequential. "clear" passes
  // at a third of the look's error rate and closes; "tight" then fails at
  // half of it, but would not at a third; "spread" stays open. At a later
  // look "tight" is judged at a third first, where it is undecided, and more
  // seeds can still pass it: not a failure that stops the sweep.
  // Five seeds at 0.94, ..., 0.96: mean 0.95, standard error 0.0079 / sqrt(5).
  SweepResults results = first_look({0.94, 0.945, 0.95, 0.955, 0.96});
  double alpha = checks::look_alpha(checks::Spending::pocock, 0.05, {5, 10, 15, 20}, 0);
  double se = std::sqrt(0.0000625 / 5);  // the sample variance: 0.00025, the sum of squares, over 4
  auto upper = [&](double share) { return 0.95 + checks::student_t_quantile(4, 1 - alpha / share) * se; };
  double between = (upper(2) + upper(3)) / 2;  // above the upper bound at 1/2, below it at 1/3
  std::string tight = check_toml("tight", "threshold", fmt::format("mean_at_least = {:.17g}", between));
  std::string spread = check_toml("spread", "variance", "std_at_most = 0.008");
  Policy policy =
      four_look_policy(check_toml("clear", "threshold", "mean_at_least = 0.90") + tight + spread, "family = \"holm\"");
  SweepResults judged = results;
  evaluate_policy(policy, judged);
  ASSERT_EQ(judged.checks.size(), 3u);
  EXPECT_EQ(judged.checks[0].outcome.verdict, checks::Verdict::pass);
  EXPECT_EQ(judged.checks[1].outcome.verdict, checks::Verdict::fail);
  EXPECT_NEAR(*judged.checks[1].outcome.confidence, 1 - alpha / 2, 1e-12);
  EXPECT_EQ(judged.checks[2].outcome.verdict, checks::Verdict::inconclusive);
  NextLook next = next_look(policy, results);
  EXPECT_TRUE(next.more_seeds);
  EXPECT_FALSE(next.futility);
  // Without Holm the same failure is decided at the look's own boundary and stops the sweep.
  Policy alone = four_look_policy(check_toml("clear", "threshold", "mean_at_least = 0.90") + tight + spread);
  EXPECT_FALSE(next_look(alone, results).more_seeds);
}

// Seeds with two repeats each, for the exact-comparison and failures kinds;
// their mean 0.802 sits on the open check's bound.
// It leaves lost runs out, which would otherwise count below its bound.
const std::string kMeanOpen = check_toml("open", "threshold", "mean_at_least = 0.802\nlost_seeds = \"exclude\"");

SweepResults repeats_first_look(int seeds) {
  SweepResults results;
  results.seedgate_version = "test";
  results.sequential = {{5, 10, 15, 20}, 0, "pocock"};
  for (int seed = 0; seed < seeds; ++seed) {
    for (int repeat = 0; repeat < 2; ++repeat) {
      RunRecord r;
      r.run = {fmt::format("s{}-r{}", seed, repeat), seed, "deterministic", "cpu", 0, repeat};
      r.report.metrics["accuracy"] = 0.800 + 0.001 * seed;
      r.report.digests["weights"] = fmt::format("xxh3:{}", seed);
      results.runs.push_back(r);
    }
    results.seeds.push_back(seed);
  }
  return results;
}

TEST(FutilityTest, RepeatsThatDisagreeStopTheSweep) {
  Policy policy =
      four_look_policy("[[check]]\nname = \"repeats\"\nkind = \"reproducibility\"\n" + kMeanOpen, "", "repeats = 2");
  SweepResults agree = repeats_first_look(5);
  EXPECT_TRUE(next_look(policy, agree).more_seeds);
  SweepResults differ = agree;
  differ.runs[3].report.digests["weights"] = "xxh3:other";  // seed 1, repeat 1
  NextLook next = next_look(policy, differ);
  EXPECT_FALSE(next.more_seeds);
  ASSERT_TRUE(next.futility);
  EXPECT_EQ(next.futility->check, "repeats");
  EXPECT_EQ(next.futility->reason,
            "a seed's repeats already disagree (or one stopped on a determinism violation), and later seeds only add "
            "seeds to compare");
  EXPECT_EQ(evaluate_policy(policy, differ).exit_code, 1);
}

TEST(FutilityTest, ASeedThatDiffersAcrossThreadCountsStopsTheSweep) {
  Policy policy =
      four_look_policy("[[check]]\nname = \"threads\"\nkind = \"consistency\"\n" + kMeanOpen, "", "threads = [1, 2]");
  // repeats_first_look's two runs of each seed, as thread counts 1 and 2.
  SweepResults agree = repeats_first_look(5);
  for (RunRecord& r : agree.runs) {
    r.run.threads = r.run.repeat + 1;
    r.run.repeat = 0;
  }
  EXPECT_TRUE(next_look(policy, agree).more_seeds);
  SweepResults differ = agree;
  differ.runs[5].report.metrics["accuracy"] = 0.5;  // seed 2 on 2 threads
  NextLook next = next_look(policy, differ);
  EXPECT_FALSE(next.more_seeds);
  ASSERT_TRUE(next.futility);
  EXPECT_EQ(next.futility->check, "threads");
  EXPECT_EQ(next.futility->reason,
            "a seed already disagrees across devices or thread counts, and later seeds only add seeds to compare");
}

TEST(FutilityTest, LostRunsStopTheSweepOnlyWhenNoLaterRunsCanBringTheRateDown) {
  // 10 runs at this look (5 seeds, 2 repeats), 40 at the last look.
  auto lose = [](SweepResults results, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      RunRecord& r = results.runs[2 * i + 1];  // repeat 1 of seed i
      r.status = RunStatus::failed;
      r.message = "exited with code 1";
      r.report.metrics.clear();
      r.report.digests.clear();
    }
    return results;
  };
  std::string failures = "[[check]]\nname = \"lost\"\nkind = \"failures\"\nrate_at_most = 0.1\n";
  Policy policy = four_look_policy(failures + kMeanOpen, "", "repeats = 2", "allowed_failures = 10");
  // 2 of 10 lost: 0.2 now, but 2 of 40 is 0.05 if the rest finish.
  SweepResults two = lose(repeats_first_look(5), 2);
  SweepResults judged = two;
  evaluate_policy(policy, judged);
  EXPECT_EQ(judged.checks.at(0).outcome.verdict, checks::Verdict::fail);
  EXPECT_TRUE(next_look(policy, two).more_seeds);
  // 5 of 10 lost: at least 5 of 40 (0.125) whatever the rest do.
  SweepResults five = lose(repeats_first_look(5), 5);
  NextLook next = next_look(policy, five);
  EXPECT_FALSE(next.more_seeds);
  ASSERT_TRUE(next.futility);
  EXPECT_EQ(next.futility->check, "lost");
  EXPECT_TRUE(next.futility->reason.starts_with(
      "even if every run of the 15 seeds still to come finishes: failure rate 0.125 (from 5 of 40 runs lost"))
      << next.futility->reason;
  EXPECT_EQ(evaluate_policy(policy, five).exit_code, 1);
  EXPECT_EQ(five.verdict, SweepVerdict::fail);
}

}  // namespace
}  // namespace seedgate
