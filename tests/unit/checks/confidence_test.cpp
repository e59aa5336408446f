// Checks judged with `confidence`: pass, fail or inconclusive by a bound on the estimate.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "checks/check.hpp"
#include "checks/intervals.hpp"
#include "checks/stats.hpp"

namespace seedgate::checks {
namespace {

const std::vector<double> kAccuracies = {0.951, 0.948, 0.955, 0.943, 0.957, 0.949, 0.952, 0.946, 0.960, 0.941};

std::vector<Observation> runs_of(const std::vector<double>& values, int repeats = 1, double jitter = 0) {
  std::vector<Observation> out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (int r = 0; r < repeats; ++r) {
      Observation o;
      o.seed = static_cast<std::int64_t>(i);
      o.repeat = r;
      o.mode = "default";
      o.device = "cpu";
      o.metrics["accuracy"] = values[i] + (r % 2 ? jitter : -jitter);
      out.push_back(std::move(o));
    }
  }
  return out;
}

CheckSpec spec_of(CheckKind kind, double confidence = 0.95) {
  CheckSpec spec;
  spec.name = "check";
  spec.params = default_spec(kind);
  spec.metric = "accuracy";
  spec.confidence = confidence;
  spec.resolution = 0;  // the formulas as written; rounding has tests of its own
  return spec;
}

const Statistic& named(const CheckOutcome& outcome, const std::string& name) {
  for (const Statistic& s : outcome.statistics)
    if (s.name == name) return s;
  throw std::runtime_error("no statistic " + name);
}

TEST(ConfidenceTest, MeanBoundPassFailOrInconclusive) {
  // 95% one-sided bounds of the mean are the ends of the 90% t interval.
  Interval i = mean_interval(kAccuracies, 0.90);
  auto runs = runs_of(kAccuracies);
  CheckSpec spec = spec_of(CheckKind::threshold);
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_least", i.lower - 0.0001};
  EXPECT_EQ(evaluate(spec, runs).verdict, Verdict::pass);
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_least", i.upper + 0.0001};
  CheckOutcome failed = evaluate(spec, runs);
  EXPECT_EQ(failed.verdict, Verdict::fail);
  EXPECT_NE(failed.messages.at(0).find("is below mean_at_least"), std::string::npos) << failed.messages[0];
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_least", 0.950};  // the mean is 0.9502: the point estimate would pass
  CheckOutcome unsure = evaluate(spec, runs);
  EXPECT_EQ(unsure.verdict, Verdict::inconclusive);
  const Statistic& mean = named(unsure, "mean");
  EXPECT_EQ(mean.verdict, Verdict::inconclusive);
  ASSERT_TRUE(mean.interval.has_value());
  EXPECT_NEAR(mean.interval->lower, i.lower, 1e-12);
  EXPECT_NEAR(mean.interval->upper, i.upper, 1e-12);
  EXPECT_EQ(unsure.messages.at(0),
            fmt::format("accuracy: mean 0.9502 over seeds 0..9 (95% bounds [{:.6g}, {:.6g}]) straddles "
                        "mean_at_least 0.95: cannot tell yet (mode=default, device=cpu)",
                        i.lower, i.upper));
  EXPECT_EQ(unsure.confidence, 0.95);
}

TEST(ConfidenceTest, MeanAtMostForALoss) {
  CheckSpec spec = spec_of(CheckKind::threshold);
  spec.goal = Goal::minimize;
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_most", 0.96};
  EXPECT_EQ(evaluate(spec, runs_of(kAccuracies)).verdict, Verdict::pass);
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_most", 0.94};
  EXPECT_EQ(evaluate(spec, runs_of(kAccuracies)).verdict, Verdict::fail);
}

TEST(ConfidenceTest, OneSeedCannotBeBounded) {
  CheckSpec spec = spec_of(CheckKind::threshold);
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_least", 0.9};
  CheckOutcome outcome = evaluate(spec, runs_of({0.95}));
  EXPECT_EQ(outcome.verdict, Verdict::error);
  EXPECT_EQ(outcome.messages.at(0),
            "accuracy: mean_at_least with confidence needs at least 2 seeds, got 1 (mode=default, device=cpu)");
}

TEST(ConfidenceTest, WorstWithConfidenceIsANormalToleranceBound) {
  // "With 95% confidence, 90% of seeds reach L": L <= mean - k s with k = 2.3546 for 10 seeds.
  Summary s = summarize(kAccuracies);
  double lower = s.mean - normal_tolerance_factor(10, 0.9, 0.95) * s.std;
  CheckSpec spec = spec_of(CheckKind::threshold);
  spec.as<ThresholdSpec>().worst = Bound{"worst_at_least", lower - 0.0001};
  CheckOutcome outcome = evaluate(spec, runs_of(kAccuracies));
  EXPECT_EQ(outcome.verdict, Verdict::pass);
  const Statistic& q = named(outcome, "q10");
  EXPECT_NEAR(q.interval->lower, lower, 1e-12);
  EXPECT_NEAR(q.value, s.mean - 1.2815515655446004 * s.std, 1e-12);
  // Every seed is above 0.94, yet 90% of all seeds above 0.94 cannot be claimed from 10.
  spec.as<ThresholdSpec>().worst = Bound{"worst_at_least", 0.94};
  CheckOutcome unsure = evaluate(spec, runs_of(kAccuracies));
  EXPECT_EQ(unsure.verdict, Verdict::inconclusive);
  const Statistic& share = named(unsure, "share_meeting_worst_at_least");
  EXPECT_EQ(share.value, 1.0);
  EXPECT_NEAR(share.interval->lower, std::pow(0.05, 0.1), 1e-9);  // Clopper–Pearson, 10 of 10
}

TEST(ConfidenceTest, NonparametricWorstNeedsTwentyNineSeeds) {
  CheckSpec spec = spec_of(CheckKind::threshold);
  spec.as<ThresholdSpec>().tolerance = Tolerance::nonparametric;
  spec.as<ThresholdSpec>().worst = Bound{"worst_at_least", 0.5};  // far below every value
  EXPECT_EQ(evaluate(spec, runs_of(kAccuracies)).verdict, Verdict::inconclusive);
  std::vector<double> many;
  for (int i = 0; i < 29; ++i) many.push_back(0.9 + 0.001 * i);
  CheckOutcome outcome = evaluate(spec, runs_of(many));
  EXPECT_EQ(outcome.verdict, Verdict::pass);
  EXPECT_DOUBLE_EQ(named(outcome, "q10").interval->lower, 0.9);    // the minimum
  spec.as<ThresholdSpec>().worst = Bound{"worst_at_least", 0.95};  // far above the 10th percentile
  EXPECT_EQ(evaluate(spec, runs_of(many)).verdict, Verdict::fail);
}

TEST(ConfidenceTest, StdIsJudgedByItsChiSquareUpperBound) {
  Summary s = summarize(kAccuracies);
  Interval i = std_interval(s.std, 10, 0.90);
  CheckSpec spec = spec_of(CheckKind::variance);
  spec.as<VarianceSpec>().std_at_most = i.upper + 1e-6;
  EXPECT_EQ(evaluate(spec, runs_of(kAccuracies)).verdict, Verdict::pass);
  // The point estimate would pass; its upper bound does not.
  spec.as<VarianceSpec>().std_at_most = s.std * 1.1;
  EXPECT_EQ(evaluate(spec, runs_of(kAccuracies)).verdict, Verdict::inconclusive);
  spec.as<VarianceSpec>().std_at_most = i.lower - 1e-6;
  EXPECT_EQ(evaluate(spec, runs_of(kAccuracies)).verdict, Verdict::fail);
}

TEST(ConfidenceTest, CvIsBoundedByTheNoncentralT) {
  CheckSpec spec = spec_of(CheckKind::variance);
  spec.as<VarianceSpec>().cv_at_most = 0.02;
  CheckOutcome outcome = evaluate(spec, runs_of(kAccuracies));
  EXPECT_EQ(outcome.verdict, Verdict::pass);
  const Statistic& cv = named(outcome, "cv");
  Interval exact = cv_interval(kAccuracies, 0.90);
  EXPECT_DOUBLE_EQ(cv.interval->upper, exact.upper);
  EXPECT_DOUBLE_EQ(cv.interval->lower, exact.lower);
  // Three seeds: the point estimate 0.011 would pass 0.02; the exact bound (0.0485) cannot.
  CheckOutcome few = evaluate(spec, runs_of({0.90, 0.92, 0.91}));
  EXPECT_EQ(few.verdict, Verdict::inconclusive);
  EXPECT_NEAR(named(few, "cv").interval->upper, 0.048538, 1e-6);  // scipy 1.10 nct, see intervals_test
}

TEST(ConfidenceTest, CvBootstrapsOnlyWhereAskedAndFromTenSeeds) {
  CheckSpec spec = spec_of(CheckKind::variance);
  spec.as<VarianceSpec>().cv_at_most = 0.02;
  spec.as<VarianceSpec>().tolerance = Tolerance::nonparametric;
  spec.bootstrap = {2000, 1};
  CheckOutcome ten = evaluate(spec, runs_of(kAccuracies));
  EXPECT_EQ(named(ten, "cv").interval->upper,
            bootstrap(kAccuracies, BootStatistic::cv, 0.90, spec.bootstrap).bca.upper);
  std::vector<double> five(kAccuracies.begin(), kAccuracies.begin() + 5);
  CheckOutcome few = evaluate(spec, runs_of(five));
  EXPECT_DOUBLE_EQ(named(few, "cv").interval->upper, cv_interval(five, 0.90).upper);
  EXPECT_EQ(few.notes, (std::vector<std::string>{"cv bounded by the noncentral t: the bootstrap needs 10 seeds, got 5 "
                                                 "(mode=default, device=cpu)"}));
}

TEST(ConfidenceTest, AllEqualValuesOnACoarseMetricAreInconclusiveNotAPass) {
  // Six seeds all at 0.9: rounded to 0.1, they hide any spread up to a rounding step.
  CheckSpec spec = spec_of(CheckKind::variance);
  spec.resolution.reset();  // inferred from the values: 0.1
  spec.as<VarianceSpec>().cv_at_most = 0.02;
  CheckOutcome cv = evaluate(spec, runs_of(std::vector<double>(6, 0.9)));
  EXPECT_EQ(cv.verdict, Verdict::inconclusive);
  EXPECT_DOUBLE_EQ(named(cv, "resolution").value, 0.1);
  spec.params = VarianceSpec{};
  spec.as<VarianceSpec>().std_at_most = 0.015;
  std::vector<double> coarse = {0.91, 0.91, 0.91};  // accuracy on 100 examples: resolution 0.01
  CheckOutcome std = evaluate(spec, runs_of(coarse));
  EXPECT_EQ(std.verdict, Verdict::inconclusive);
  // Rounding to 0.01 can hide a sample std of 0.005 * sqrt(4/3) among 3 values; the
  // chi-square 95% upper bound on that is about 0.0255.
  EXPECT_NEAR(named(std, "std").interval->upper, std_interval(0.005 * std::sqrt(4.0 / 3), 3, 0.90).upper, 1e-12);
  // Declared continuous (resolution 0): the zero-width interval passes, as the formula says.
  spec.resolution = 0;
  EXPECT_EQ(evaluate(spec, runs_of(coarse)).verdict, Verdict::pass);
  // A bound well above what rounding can hide still passes.
  spec.resolution.reset();
  spec.params = VarianceSpec{};
  spec.as<VarianceSpec>().std_at_most = 0.05;
  EXPECT_EQ(evaluate(spec, runs_of(coarse)).verdict, Verdict::pass);
}

TEST(ConfidenceTest, MeanIntervalWidensByHalfAStep) {
  CheckSpec spec = spec_of(CheckKind::threshold);
  spec.resolution = 0.01;
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_least", 0.9};
  CheckOutcome outcome = evaluate(spec, runs_of({0.91, 0.91}));
  EXPECT_EQ(outcome.verdict, Verdict::pass);
  EXPECT_DOUBLE_EQ(named(outcome, "mean").interval->lower, 0.91 - 0.005);
  EXPECT_DOUBLE_EQ(named(outcome, "mean").interval->upper, 0.91 + 0.005);
}

TEST(ConfidenceTest, RepeatsSplitVarianceIntoSeedAndRunParts) {
  CheckSpec spec = spec_of(CheckKind::variance);
  spec.as<VarianceSpec>().std_at_most = 1;
  // Each seed's two repeats differ by +-0.002: run-to-run std 0.002*sqrt(2).
  CheckOutcome outcome = evaluate(spec, runs_of(kAccuracies, 2, 0.002));
  EXPECT_NEAR(named(outcome, "run_std").value, 0.002 * std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(named(outcome, "seed_std").value, summarize(kAccuracies).std, 1e-3);
  CheckOutcome single = evaluate(spec, runs_of(kAccuracies));
  for (const Statistic& s : single.statistics) EXPECT_NE(s.name, "run_std");
}

TEST(ConfidenceTest, RegressionNonInferiorityWithWelchBounds) {
  std::vector<double> baseline = kAccuracies;
  std::vector<double> candidate;
  for (double v : kAccuracies) candidate.push_back(v - 0.001);
  CheckSpec spec = spec_of(CheckKind::regression);
  spec.as<RegressionSpec>().pairing = Pairing::none;
  spec.as<RegressionSpec>().margin = 0.01;
  CheckOutcome ok = evaluate(spec, runs_of(candidate), runs_of(baseline));
  EXPECT_EQ(ok.verdict, Verdict::pass);
  const Statistic& worse = named(ok, "worse_by");
  EXPECT_NEAR(worse.value, 0.001, 1e-12);
  EXPECT_GT(named(ok, "prob_improvement").value, 0.3);
  EXPECT_LT(named(ok, "non_inferiority_p").value, 0.05);
  // Worse by 0.02 with margin 0.005: clearly a regression.
  for (double& v : candidate) v -= 0.019;
  spec.as<RegressionSpec>().margin = 0.005;
  CheckOutcome bad = evaluate(spec, runs_of(candidate), runs_of(baseline));
  EXPECT_EQ(bad.verdict, Verdict::fail);
  EXPECT_NE(bad.messages.at(0).find("worse_by 0.02 against the baseline mean 0.9502 (10 seeds) over seeds 0..9"),
            std::string::npos)
      << bad.messages[0];
  EXPECT_EQ(named(bad, "prob_improvement").value, 0.0);
}

TEST(ConfidenceTest, RegressionWithConfidenceNeedsTwoSeedsEachSide) {
  CheckSpec spec = spec_of(CheckKind::regression);
  spec.as<RegressionSpec>().margin = 0.01;
  CheckOutcome outcome = evaluate(spec, runs_of(kAccuracies), runs_of({0.95}));
  EXPECT_EQ(outcome.verdict, Verdict::error);
  EXPECT_EQ(outcome.messages, (std::vector<std::string>{
                                  "accuracy: a comparison with confidence needs at least 2 seeds on each side, got 10 "
                                  "and 1 in the baseline (mode=default, device=cpu)"}));
}

TEST(ConfidenceTest, RegressionEquivalenceIsTost) {
  CheckSpec spec = spec_of(CheckKind::regression);
  spec.as<RegressionSpec>().comparison = Comparison::equivalence;
  spec.as<RegressionSpec>().pairing = Pairing::none;
  spec.as<RegressionSpec>().margin = 0.01;
  std::vector<double> better;
  for (double v : kAccuracies) better.push_back(v + 0.02);
  EXPECT_EQ(evaluate(spec, runs_of(kAccuracies), runs_of(kAccuracies)).verdict, Verdict::pass);
  // Much better is not equivalent either.
  CheckOutcome outside = evaluate(spec, runs_of(better), runs_of(kAccuracies));
  EXPECT_EQ(outside.verdict, Verdict::fail);
  EXPECT_EQ(
      outside.messages.at(0).rfind(
          "accuracy: difference from the baseline mean 0.02 over seeds 0..9 against the baseline's 10 seeds (", 0),
      0u)
      << outside.messages[0];
  EXPECT_NE(outside.messages[0].find(") lies outside +-margin 0.01 (mode=default, device=cpu)"), std::string::npos)
      << outside.messages[0];
  // Better by about the margin: the interval straddles it.
  std::vector<double> edge;
  for (double v : kAccuracies) edge.push_back(v + 0.01);
  CheckOutcome unsure = evaluate(spec, runs_of(edge), runs_of(kAccuracies));
  EXPECT_EQ(unsure.verdict, Verdict::inconclusive);
  EXPECT_NE(unsure.messages.at(0).find(") straddles +-margin 0.01: cannot tell yet (mode=default, device=cpu)"),
            std::string::npos)
      << unsure.messages[0];
}

}  // namespace
}  // namespace seedgate::checks
