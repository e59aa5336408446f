#include "checks/check.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "tests/unit/checks/seeded_normal.hpp"

namespace seedgate::checks {
namespace {

Observation run(std::int64_t seed, double accuracy, int repeat = 0, std::string mode = "deterministic",
                std::string digest = "") {
  Observation o;
  o.seed = seed;
  o.mode = std::move(mode);
  o.device = "cpu";
  o.repeat = repeat;
  o.metrics["accuracy"] = accuracy;
  o.digests["model"] = digest.empty() ? "xxh3:" + std::to_string(seed) : digest;
  return o;
}

CheckSpec threshold(std::optional<double> mean, std::optional<double> worst) {
  CheckSpec spec;
  spec.name = "threshold-accuracy";
  spec.params = default_spec(CheckKind::threshold);
  spec.metric = "accuracy";
  if (mean) spec.as<ThresholdSpec>().mean = Bound{"mean_at_least", *mean};
  if (worst) spec.as<ThresholdSpec>().worst = Bound{"worst_at_least", *worst};
  return spec;
}

TEST(CheckTest, ThresholdPasses) {
  std::vector<Observation> runs = {run(0, 0.95), run(1, 0.96), run(2, 0.97)};
  CheckOutcome outcome = evaluate(threshold(0.95, 0.94), runs);
  EXPECT_EQ(outcome.verdict, Verdict::pass);
  ASSERT_EQ(outcome.statistics.size(), 2u);
  EXPECT_DOUBLE_EQ(outcome.statistics[0].value, 0.96);
  EXPECT_EQ(outcome.seeds, (std::vector<std::int64_t>{0, 1, 2}));
}

// Cross-validation: each seed's estimate is the mean over its folds, and the
// mean's bound allows for how much the estimate moves with the split
// (Nadeau & Bengio 2003: variance factor 1/J + n_test/n_train = 1/5 + 1/4 for
// 5 folds). Folds at 0.86, 0.88, 0.90, 0.92, 0.94 (std 0.0316): se =
// sqrt(0.45) * 0.0316 = 0.0212, t(4, 0.95) = 2.132, lower bound 0.855. The
// seeds alone (each 0.90 +- 0.0002) would pass mean_at_least 0.895.
TEST(CheckTest, FoldsAreAveragedPerSeedAndTheMeanBoundAllowsForTheSplit) {
  std::vector<Observation> runs;
  for (std::int64_t seed = 0; seed < 3; ++seed) {
    for (int fold = 0; fold < 5; ++fold) {
      Observation o = run(seed, 0.86 + 0.02 * fold + 0.0002 * static_cast<double>(seed - 1));
      o.fold = fold;
      runs.push_back(o);
    }
  }
  CheckSpec spec = threshold(0.895, std::nullopt);
  spec.confidence = 0.95;
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::inconclusive) << fmt::format("{}", fmt::join(outcome.messages, "\n"));
  auto mean = std::find_if(outcome.statistics.begin(), outcome.statistics.end(),
                           [](const Statistic& s) { return s.name == "mean"; });
  ASSERT_NE(mean, outcome.statistics.end());
  EXPECT_NEAR(mean->value, 0.90, 1e-12);  // the seeds' cross-validated estimates
  EXPECT_NEAR(mean->interval->lower, 0.8548, 5e-4);
  auto se = std::find_if(outcome.statistics.begin(), outcome.statistics.end(),
                         [](const Statistic& s) { return s.name == "cv_std_error"; });
  ASSERT_NE(se, outcome.statistics.end());
  EXPECT_NEAR(se->value, std::sqrt(0.45) * 0.0316228, 1e-6);
  bool noted = false;
  for (const std::string& note : outcome.notes) noted |= note.find("Nadeau-Bengio") != std::string::npos;
  EXPECT_TRUE(noted) << fmt::format("{}", fmt::join(outcome.notes, "\n"));
  // Without the folds axis the same values are 15 seeds' runs: no split to allow for.
  for (Observation& o : runs) o.fold = -1;
  EXPECT_NE(evaluate(spec, runs).verdict, Verdict::inconclusive);
}

// The cross-validated mean's false-pass rate with the truth on the bound:
// seeds share one split, so the folds' effects move every seed alike. 2,000
// seeded sweeps of 3 and 5 seeds x 5 folds (fold sd 0.02, seed sd 0.005,
// run sd 0.002), normal and coarse (rounded to 0.01). The seeds' t interval
// alone passes far more often than 5%; with the folds' corrected interval
// the check holds its rate.
TEST(CheckTest, FoldsMeanBoundHoldsItsRateWhenSeedsShareTheSplit) {
  constexpr int kSweeps = 2000;
  for (std::size_t seeds : {3u, 5u}) {
    for (bool coarse : {false, true}) {
      test::SeededNormal normal(seeds * 7919 + (coarse ? 1 : 0));
      int passed = 0, passed_without_folds = 0;
      for (int sweep = 0; sweep < kSweeps; ++sweep) {
        double fold_effect[5];
        for (double& f : fold_effect) f = normal(0, 0.02);
        std::vector<Observation> runs;
        for (std::size_t seed = 0; seed < seeds; ++seed) {
          double seed_effect = normal(0, 0.005);
          for (int fold = 0; fold < 5; ++fold) {
            double value = 0.9 + fold_effect[fold] + seed_effect + normal(0, 0.002);
            if (coarse) value = std::round(value * 100) / 100;
            Observation o = run(static_cast<std::int64_t>(seed), value);
            o.fold = fold;
            runs.push_back(o);
          }
        }
        CheckSpec spec = threshold(0.9, std::nullopt);
        spec.confidence = 0.95;
        passed += evaluate(spec, runs).verdict == Verdict::pass;
        for (Observation& o : runs) o.fold = -1;  // the same values judged as if the seeds had their own splits
        // Averaged per seed as the folds axis would: one value per seed.
        std::vector<Observation> per_seed;
        for (std::size_t seed = 0; seed < seeds; ++seed) {
          double sum = 0;
          for (int fold = 0; fold < 5; ++fold)
            sum += runs[seed * 5 + static_cast<std::size_t>(fold)].metrics["accuracy"];
          per_seed.push_back(run(static_cast<std::int64_t>(seed), sum / 5));
        }
        passed_without_folds += evaluate(spec, per_seed).verdict == Verdict::pass;
      }
      double rate = static_cast<double>(passed) / kSweeps;
      double naive = static_cast<double>(passed_without_folds) / kSweeps;
      std::cout << seeds << " seeds x 5 folds" << (coarse ? ", coarse" : "") << ": false pass " << rate
                << " (the seeds' t interval alone: " << naive << ")\n";
      EXPECT_LE(rate, 0.08);
      EXPECT_GT(naive, 0.15);  // what the correction is for
    }
  }
}

TEST(CheckTest, ThresholdMeanFailureNamesMetricBoundAndSeeds) {
  std::vector<Observation> runs = {run(0, 0.90), run(1, 0.91), run(2, 0.92)};
  CheckOutcome outcome = evaluate(threshold(0.95, std::nullopt), runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  ASSERT_EQ(outcome.messages.size(), 1u);
  EXPECT_EQ(outcome.messages[0],
            "accuracy: mean 0.91 over seeds 0..2 is below mean_at_least 0.95 (mode=deterministic, device=cpu)");
}

TEST(CheckTest, ThresholdWorstFailureNamesTheSeed) {
  std::vector<Observation> runs = {run(0, 0.95), run(5, 0.80), run(9, 0.96)};
  CheckOutcome outcome = evaluate(threshold(std::nullopt, 0.9), runs);
  ASSERT_EQ(outcome.messages.size(), 1u);
  EXPECT_EQ(outcome.messages[0],
            "accuracy: worst 0.8 (seed 5, repeat 0) is below worst_at_least 0.9 (mode=deterministic, device=cpu)");
}

TEST(CheckTest, ThresholdForMinimisedMetric) {
  CheckSpec spec = threshold(std::nullopt, std::nullopt);
  spec.goal = Goal::minimize;
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_most", 0.5};
  std::vector<Observation> runs = {run(0, 0.4), run(1, 0.7)};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages[0],
            "accuracy: mean 0.55 over seeds 0, 1 is above mean_at_most 0.5 (mode=deterministic, device=cpu)");
}

TEST(CheckTest, GroupsAreJudgedSeparately) {
  std::vector<Observation> runs = {run(0, 0.95), run(1, 0.95), run(0, 0.80, 0, "default"), run(1, 0.82, 0, "default")};
  CheckOutcome outcome = evaluate(threshold(0.9, std::nullopt), runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  ASSERT_EQ(outcome.messages.size(), 1u);
  EXPECT_NE(outcome.messages[0].find("mode=default"), std::string::npos);
  CheckSpec only_deterministic = threshold(0.9, std::nullopt);
  only_deterministic.modes = {"deterministic"};
  EXPECT_EQ(evaluate(only_deterministic, runs).verdict, Verdict::pass);
}

TEST(CheckTest, NanFailsAndIsNamed) {
  std::vector<Observation> runs = {run(0, 0.95), run(1, NAN)};
  CheckOutcome outcome = evaluate(threshold(0.5, std::nullopt), runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages[0],
            "accuracy: non-finite value in seed 1 repeat 0 (nan) (mode=deterministic, device=cpu)");
}

TEST(CheckTest, VarianceFailure) {
  CheckSpec spec;
  spec.name = "variance-accuracy";
  spec.params = default_spec(CheckKind::variance);
  spec.metric = "accuracy";
  spec.as<VarianceSpec>().std_at_most = 0.01;
  spec.as<VarianceSpec>().range_at_most = 0.5;
  // R: sd(c(0.90, 0.95, 1.00)) = 0.05
  std::vector<Observation> runs = {run(0, 0.90), run(1, 0.95), run(2, 1.00)};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  ASSERT_EQ(outcome.messages.size(), 1u);
  EXPECT_EQ(outcome.messages[0],
            "accuracy: std 0.05 over seeds 0..2 exceeds std_at_most 0.01 (mode=deterministic, device=cpu)");
  EXPECT_EQ(outcome.statistics[1].verdict, Verdict::pass);  // range 0.1 <= 0.5
}

TEST(CheckTest, VarianceJudgesOneRunNotTheSeedsMeans) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::variance);
  spec.metric = "accuracy";
  spec.as<VarianceSpec>().std_at_most = 0.001;
  // Each seed's mean is the same, but one run varies by +-0.01: a single
  // production run has that spread, so the check fails.
  std::vector<Observation> runs = {run(0, 0.90, 0), run(0, 0.92, 1), run(1, 0.92, 0), run(1, 0.90, 1)};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  // The runs' variance is all run-to-run: MSW = 0.0002, so one run's std is sqrt(0.0002).
  EXPECT_NEAR(outcome.statistics.at(0).value, std::sqrt(0.0002), 1e-12);
  EXPECT_NE(outcome.messages.at(0).find("one run (seed-to-seed and run-to-run parts)"), std::string::npos);
}

TEST(CheckTest, VarianceWithOneSeedCannotBeJudged) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::variance);
  spec.metric = "accuracy";
  spec.as<VarianceSpec>().std_at_most = 0.01;
  std::vector<Observation> runs = {run(0, 0.9)};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::error);
  EXPECT_EQ(outcome.messages[0], "accuracy: variance needs at least 2 seeds, got 1 (mode=deterministic, device=cpu)");
}

TEST(CheckTest, ReproducibilityPassesOnIdenticalRepeats) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::reproducibility);
  std::vector<Observation> runs = {run(0, 0.9, 0), run(0, 0.9, 1), run(1, 0.8, 0), run(1, 0.8, 1)};
  EXPECT_EQ(evaluate(spec, runs).verdict, Verdict::pass);
}

TEST(CheckTest, ReproducibilityNamesSeedArtifactAndBothValues) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::reproducibility);
  std::vector<Observation> runs = {run(3, 0.9, 0, "deterministic", "xxh3:aaaa"),
                                   run(3, 0.9000001, 1, "deterministic", "xxh3:bbbb")};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  ASSERT_EQ(outcome.messages.size(), 2u);
  EXPECT_EQ(
      outcome.messages[0],
      "seed 3 (mode=deterministic, device=cpu): artifact 'model' differs: repeat 0 xxh3:aaaa vs repeat 1 xxh3:bbbb");
  EXPECT_EQ(outcome.messages[1],
            "seed 3 (mode=deterministic, device=cpu): metric 'accuracy' differs: repeat 0 0.9 vs repeat 1 0.9000001");
}

TEST(CheckTest, ReproducibilityWithinTolerance) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::reproducibility);
  spec.metric = "accuracy";
  spec.as<ReproducibilitySpec>().artifacts = {"model"};  // equal in both repeats
  spec.as<ReproducibilitySpec>().atol = 1e-6;
  std::vector<Observation> runs = {run(3, 0.9, 0), run(3, 0.9000001, 1)};
  EXPECT_EQ(evaluate(spec, runs).verdict, Verdict::pass);
  spec.as<ReproducibilitySpec>().atol = 0;
  spec.as<ReproducibilitySpec>().rtol = 1e-8;
  EXPECT_EQ(evaluate(spec, runs).verdict, Verdict::fail);
}

TEST(CheckTest, AnArtifactNoRunReportedCannotBeJudged) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::reproducibility);
  spec.as<ReproducibilitySpec>().artifacts = {"weights"};  // a typo, or the program never reported it
  std::vector<Observation> runs = {run(0, 0.9, 0), run(0, 0.9, 1)};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::error);
  EXPECT_EQ(outcome.messages[0], "no run reported artifact 'weights' (mode=deterministic, device=cpu)");
}

TEST(CheckTest, ReproducibilityWithoutRepeatsCannotBeJudged) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::reproducibility);
  std::vector<Observation> runs = {run(0, 0.9), run(1, 0.9)};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::error);
  EXPECT_EQ(outcome.messages[0],
            "no seed has 2 finished repeats to compare (mode=deterministic, device=cpu); set "
            "repeats >= 2 in [sweep]");
}

// With repeats planned but lost, the message counts the lost runs; with
// repeats = 1 and a run lost besides, it still asks for repeats.
TEST(CheckTest, ReproducibilityWithRepeatsLostSaysSoAndWithoutAsksForThem) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::reproducibility);
  Observation crashed = run(0, 0, 1);
  crashed.lost = "crashed: exit status 1";
  std::vector<Observation> with_repeats = {run(0, 0.9), crashed};
  CheckOutcome planned = evaluate(spec, with_repeats);
  EXPECT_EQ(planned.verdict, Verdict::error);
  EXPECT_EQ(planned.messages[0],
            "no seed has 2 finished repeats to compare (mode=deterministic, device=cpu): 1 run lost");
  Observation crashed_single = run(2, 0);
  crashed_single.lost = "crashed: exit status 1";
  std::vector<Observation> without_repeats = {run(0, 0.9), run(1, 0.9), crashed_single};
  CheckOutcome single = evaluate(spec, without_repeats);
  EXPECT_EQ(single.verdict, Verdict::error);
  EXPECT_EQ(single.messages[0],
            "no seed has 2 finished repeats to compare (mode=deterministic, device=cpu); set repeats >= 2 in [sweep]");
}

TEST(CheckTest, ReproducibilityFailsOnADeterminismViolationAndOtherChecksSkipIt) {
  Observation violated = run(4, 0.0, 1);
  violated.metrics.clear();
  violated.digests.clear();
  violated.violation = "put_ does not have a deterministic implementation";
  std::vector<Observation> runs = {run(4, 0.9, 0), violated, run(5, 0.91, 0), run(5, 0.91, 1)};
  CheckSpec spec;
  spec.params = default_spec(CheckKind::reproducibility);
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages,
            (std::vector<std::string>{"seed 4 (mode=deterministic, device=cpu): repeat 1 stopped on a determinism "
                                      "violation: put_ does not have a deterministic implementation"}));
  // A threshold check judges the runs that finished, not the violated one.
  EXPECT_EQ(evaluate(threshold(0.9, 0.9), runs).verdict, Verdict::pass);
  // Whether a check sees a run at all is its filter's business.
  EXPECT_TRUE(selects(spec, violated));
  spec.modes = {"default"};
  EXPECT_FALSE(selects(spec, violated));
}

Observation configured(std::int64_t seed, std::string device, int threads, double accuracy, int repeat = 0) {
  Observation o = run(seed, accuracy, repeat);
  o.device = std::move(device);
  o.threads = threads;
  o.digests["model"] = fmt::format("xxh3:{}-{}", seed, threads);
  return o;
}

CheckSpec consistency(double atol) {
  CheckSpec spec;
  spec.name = "consistency";
  spec.params = default_spec(CheckKind::consistency);
  spec.as<ConsistencySpec>().atol = atol;
  return spec;
}

TEST(CheckTest, ConsistencyComparesThreadCountsAndDevicesOfOneSeed) {
  std::vector<Observation> runs = {configured(0, "cpu", 1, 0.900),  configured(0, "cpu", 2, 0.901),
                                   configured(0, "cuda", 1, 0.902), configured(1, "cpu", 1, 0.95),
                                   configured(1, "cpu", 2, 0.95),   configured(1, "cpu", 2, 0.5, 1)};
  CheckOutcome outcome = evaluate(consistency(0.005), runs);
  EXPECT_EQ(outcome.verdict, Verdict::pass) << outcome.messages.front();
  ASSERT_EQ(outcome.statistics.size(), 2u);
  EXPECT_EQ(outcome.statistics[0].group, "mode=deterministic");
  EXPECT_EQ(outcome.statistics[0].name, "seeds_compared");
  EXPECT_EQ(outcome.statistics[0].value, 2);
  EXPECT_EQ(outcome.statistics[1].name, "max_difference[accuracy]");
  EXPECT_NEAR(outcome.statistics[1].value, 0.002, 1e-12);  // repeat 1 of seed 1 is not compared: repeat 0 stands

  outcome = evaluate(consistency(0.0015), runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages,
            (std::vector<std::string>{"seed 0 (mode=deterministic): metric 'accuracy' differs: 0.9 with device=cpu, "
                                      "threads=1 vs 0.902 with device=cuda, threads=1 (allowed: 0.0015)"}));
}

TEST(CheckTest, ConsistencyNamesAMetricOneConfigurationDidNotReport) {
  Observation quiet = configured(0, "cpu", 2, 0.9);
  quiet.metrics.clear();
  std::vector<Observation> runs = {configured(0, "cpu", 1, 0.9), quiet};
  CheckOutcome outcome = evaluate(consistency(0.01), runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages, (std::vector<std::string>{"seed 0 (mode=deterministic): metric 'accuracy' reported "
                                                        "with device=cpu, threads=1 but not with device=cpu, "
                                                        "threads=2"}));
}

TEST(CheckTest, ConsistencyCanAskForEqualDigests) {
  CheckSpec spec = consistency(0.01);
  spec.as<ConsistencySpec>().artifacts = {"model"};
  std::vector<Observation> runs = {configured(0, "cpu", 1, 0.9), configured(0, "cpu", 2, 0.9)};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages[0],
            "seed 0 (mode=deterministic): artifact 'model' differs: xxh3:0-1 with device=cpu, threads=1 vs xxh3:0-2 "
            "with device=cpu, threads=2");
}

TEST(CheckTest, ConsistencyWithOneConfigurationCannotBeJudged) {
  std::vector<Observation> runs = {configured(0, "cpu", 1, 0.9), configured(1, "cpu", 1, 0.9)};
  CheckOutcome outcome = evaluate(consistency(0.01), runs);
  EXPECT_EQ(outcome.verdict, Verdict::error);
  EXPECT_EQ(outcome.messages[0],
            "no seed ran on 2 or more devices or thread counts (mode=deterministic); set threads = [1, 2] or "
            "devices = [\"cpu\", \"cuda\"] in [sweep]");
}

TEST(CheckTest, SeedSensitivityCatchesIgnoredSeed) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::seed_sensitivity);
  std::vector<Observation> runs = {run(0, 0.9, 0, "deterministic", "xxh3:same"),
                                   run(1, 0.9, 0, "deterministic", "xxh3:same")};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages[0],
            "seeds 0 and 1 produced the same artifact 'model' (xxh3:same) (mode=deterministic, "
            "device=cpu): the program may ignore its seed");
}

TEST(CheckTest, SeedSensitivityOnMetricOnlyFailsWhenAllEqual) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::seed_sensitivity);
  spec.metric = "accuracy";
  // Repeats that agree show the differences come from the seed; two seeds may tie.
  std::vector<Observation> tie = {run(0, 0.9),    run(0, 0.9, 1), run(1, 0.9),
                                  run(1, 0.9, 1), run(2, 0.91),   run(2, 0.91, 1)};
  EXPECT_EQ(evaluate(spec, tie).verdict, Verdict::pass);
  std::vector<Observation> same = {run(0, 0.9), run(1, 0.9), run(2, 0.9)};
  CheckOutcome outcome = evaluate(spec, same);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages[0],
            "all 3 seeds produced accuracy = 0.9 (mode=deterministic, device=cpu): the program may ignore its seed");
}

// A program whose artifact changes from run to run (a timestamp in it) while
// its metric never moves: the seed explains no variance of the metric, so
// the check fails rather than read a share of 0/0 as the whole.
TEST(CheckTest, SeedSensitivityFailsAMetricThatNeverMovesBesideArtifactsThatDo) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::seed_sensitivity);
  spec.metric = "accuracy";
  std::vector<Observation> runs;
  for (std::int64_t seed = 0; seed < 3; ++seed)
    for (int repeat = 0; repeat < 2; ++repeat)
      runs.push_back(run(seed, 0.849, repeat, "deterministic", fmt::format("xxh3:{}-{}", seed, repeat)));
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  ASSERT_FALSE(outcome.messages.empty());
  EXPECT_EQ(outcome.messages[0],
            "all 3 seeds produced accuracy = 0.849 in every repeat, while the runs differ in an artifact "
            "(mode=deterministic, device=cpu): the program may ignore its seed");
}

// Seeded simulation of that rule through the real evaluation, on a coarse
// metric (accuracy on m test examples, a binomial draw per seed, the same in
// every repeat; the model file differs in every run). A program that ignores
// its seed fails every time (before this rule it passed every time). One that
// honours it fails only when every seed ties by chance: sum_j pmf(j)^k
// (scipy.stats.binom: m=20, p=0.9: 0.052339 at k=3 seeds, 0.003606 at k=5;
// m=100: 0.010257 at k=3), within 3 standard errors.
TEST(CheckTest, SeedSensitivityOnACoarseMetricFailsAtTheRateSeedsTie) {
  std::uint64_t state = 20261201;
  auto uniform = [&] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return static_cast<double>((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
  };
  CheckSpec spec;
  spec.params = default_spec(CheckKind::seed_sensitivity);
  spec.metric = "accuracy";
  struct Cell {
    int examples, seeds;
    double tie;  // scipy
  };
  constexpr int kSweeps = 20000;
  for (Cell cell : {Cell{20, 3, 0.052339}, Cell{20, 5, 0.003606}, Cell{100, 3, 0.010257}}) {
    int failed = 0, ignored_failed = 0;
    for (int sweep = 0; sweep < kSweeps; ++sweep) {
      std::vector<Observation> honours, ignores;
      for (int seed = 0; seed < cell.seeds; ++seed) {
        int correct = 0;
        for (int e = 0; e < cell.examples; ++e) correct += uniform() < 0.9;
        for (int repeat = 0; repeat < 2; ++repeat) {
          std::string digest = fmt::format("xxh3:{}-{}-{}", sweep, seed, repeat);
          honours.push_back(run(seed, static_cast<double>(correct) / cell.examples, repeat, "deterministic", digest));
          ignores.push_back(run(seed, 0.9, repeat, "deterministic", digest));
        }
      }
      failed += evaluate(spec, honours).verdict == Verdict::fail;
      if (sweep < 200) ignored_failed += evaluate(spec, ignores).verdict == Verdict::fail;
    }
    double rate = static_cast<double>(failed) / kSweeps;
    double se = std::sqrt(cell.tie * (1 - cell.tie) / kSweeps);
    std::cout << fmt::format("{} examples, {} seeds: fails {:.4f} of {} sweeps (seeds tie: {:.6f})\n", cell.examples,
                             cell.seeds, rate, kSweeps, cell.tie);
    EXPECT_NEAR(rate, cell.tie, 3 * se + 1e-4) << cell.examples << " examples, " << cell.seeds << " seeds";
    EXPECT_EQ(ignored_failed, 200) << cell.examples << " examples, " << cell.seeds << " seeds";
  }
}

TEST(CheckTest, RegressionAgainstBaseline) {
  CheckSpec spec = threshold(std::nullopt, std::nullopt);
  spec.params = default_spec(CheckKind::regression);
  spec.as<RegressionSpec>().margin = 0.005;
  std::vector<Observation> baseline = {run(0, 0.95), run(1, 0.95)};
  std::vector<Observation> same = {run(0, 0.947), run(1, 0.947)};
  EXPECT_EQ(evaluate(spec, same, baseline).verdict, Verdict::pass);
  std::vector<Observation> worse = {run(0, 0.93), run(1, 0.93)};
  CheckOutcome outcome = evaluate(spec, worse, baseline);
  EXPECT_EQ(outcome.verdict, Verdict::fail);
  EXPECT_EQ(outcome.messages[0],
            "accuracy: mean 0.93 over seeds 0, 1 is worse than the baseline mean 0.95 by 0.02, "
            "more than margin 0.005 (mode=deterministic, device=cpu)");
}

TEST(CheckTest, NoMatchingRunsIsAnError) {
  CheckSpec spec = threshold(0.9, std::nullopt);
  spec.devices = {"cuda"};
  std::vector<Observation> runs = {run(0, 0.95)};
  CheckOutcome outcome = evaluate(spec, runs);
  EXPECT_EQ(outcome.verdict, Verdict::error);
  EXPECT_EQ(outcome.messages[0], "no finished run matches this check's modes, devices and threads");
}

TEST(CheckTest, FailureWinsOverError) {
  CheckSpec spec;
  spec.params = default_spec(CheckKind::reproducibility);
  // deterministic: repeats differ (fail); default: no repeats (error).
  std::vector<Observation> runs = {run(0, 0.9, 0, "deterministic", "xxh3:a"), run(0, 0.9, 1, "deterministic", "xxh3:b"),
                                   run(0, 0.9, 0, "default")};
  EXPECT_EQ(evaluate(spec, runs).verdict, Verdict::fail);
}

TEST(CheckTest, DescribeSeeds) {
  EXPECT_EQ(describe_seeds(std::vector<std::int64_t>{0, 1, 2, 3}), "0..3");
  EXPECT_EQ(describe_seeds(std::vector<std::int64_t>{1, 5, 9}), "1, 5, 9");
  EXPECT_EQ(describe_seeds(std::vector<std::int64_t>{}), "none");
}

}  // namespace
}  // namespace seedgate::checks
