#include "checks/intervals.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <vector>

#include "tests/unit/checks/seeded_normal.hpp"

namespace seedgate::checks {
namespace {

// Ten accuracies close together, as seeds give them.
const std::vector<double> kAccuracies = {0.951, 0.948, 0.955, 0.943, 0.957, 0.949, 0.952, 0.946, 0.960, 0.941};

TEST(MeanInterval, MatchesStudentT) {
  // scipy.stats.t.interval(0.95, 9, loc=mean, scale=sem) for kAccuracies.
  Interval i = mean_interval(kAccuracies, 0.95);
  EXPECT_NEAR(i.lower, 0.9458709248902352, 1e-12);
  EXPECT_NEAR(i.upper, 0.9545290751097649, 1e-12);
  EXPECT_EQ(i.level, 0.95);
}

TEST(MeanInterval, NoSpreadGivesThePoint) {
  std::vector<double> same(5, 0.9);
  Interval i = mean_interval(same, 0.95);
  EXPECT_DOUBLE_EQ(i.lower, 0.9);
  EXPECT_DOUBLE_EQ(i.upper, 0.9);
}

TEST(StdInterval, ChiSquareForTenSeeds) {
  // Issue reference: n = 10, 95%: [0.6878 s, 1.8256 s] (chi-square quantiles 19.023 and 2.700 on 9 df).
  Interval i = std_interval(1.0, 10, 0.95);
  EXPECT_NEAR(i.lower, 0.6878, 5e-5);
  EXPECT_NEAR(i.upper, 1.8256, 5e-5);
  Interval scaled = std_interval(0.01, 10, 0.95);
  EXPECT_NEAR(scaled.upper, 0.018256, 5e-7);
}

TEST(ToleranceFactor, ExactNoncentralT) {
  // One-sided normal tolerance factors, coverage 0.90, confidence 0.95
  // (NIST/SEMATECH e-Handbook 7.2.6.3; R tolerance::K.factor(side = 1)).
  EXPECT_NEAR(normal_tolerance_factor(5, 0.90, 0.95), 3.4066, 5e-5);
  EXPECT_NEAR(normal_tolerance_factor(10, 0.90, 0.95), 2.3546, 5e-5);
  EXPECT_NEAR(normal_tolerance_factor(20, 0.90, 0.95), 1.9260, 5e-5);
}

TEST(OrderStatistics, MinimumBoundsTenthPercentileFromTwentyNineSeeds) {
  // 1 - 0.9^n >= 0.95 first holds at n = 29 (0.9^28 = 0.0523, 0.9^29 = 0.0471).
  EXPECT_FALSE(lower_order_rank(28, 0.10, 0.95).has_value());
  ASSERT_TRUE(lower_order_rank(29, 0.10, 0.95).has_value());
  EXPECT_EQ(*lower_order_rank(29, 0.10, 0.95), 1u);
  // More seeds allow a higher order statistic: with 100 seeds, the 5th smallest.
  EXPECT_EQ(*lower_order_rank(100, 0.10, 0.95), 5u);
}

TEST(OrderStatistics, UpperRankForTheTenthPercentile) {
  // P(X_(s) >= q_0.1) = P(Binomial(n, 0.1) <= s - 1): for n = 10, s = 3 gives 0.9298, s = 4 gives 0.9872.
  EXPECT_EQ(*upper_order_rank(10, 0.10, 0.95), 4u);
  EXPECT_FALSE(upper_order_rank(2, 0.10, 0.999).has_value());
}

TEST(ClopperPearson, MatchesExactBinomialInterval) {
  // R binom.test(7, 10)$conf.int; scipy.stats.binomtest(7, 10).proportion_ci("exact").
  Interval i = clopper_pearson(7, 10, 0.95);
  EXPECT_NEAR(i.lower, 0.3475471499399921, 1e-10);
  EXPECT_NEAR(i.upper, 0.9332604888222655, 1e-10);
  Interval all = clopper_pearson(10, 10, 0.90);
  EXPECT_EQ(all.upper, 1.0);
  EXPECT_NEAR(all.lower, 0.7411344, 1e-6);  // 0.05^(1/10)
  EXPECT_EQ(clopper_pearson(0, 10, 0.95).lower, 0.0);
}

TEST(InterquartileMean, MatchesScipyTrimMean) {
  // scipy.stats.trim_mean(x, 0.25).
  EXPECT_NEAR(interquartile_mean(kAccuracies), 0.9501666666666667, 1e-12);
  std::vector<double> eleven = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(interquartile_mean(eleven), 5.0);
  std::vector<double> outlier = {0.95, 0.95, 0.95, 0.10};
  EXPECT_DOUBLE_EQ(interquartile_mean(outlier), 0.95);
}

TEST(VarianceComponents, SplitsSeedAndRunVariance) {
  // Three seeds, two repeats each: seed means 1, 2, 3; within-seed deviations +-0.5.
  std::vector<std::vector<double>> groups = {{0.5, 1.5}, {1.5, 2.5}, {2.5, 3.5}};
  auto c = variance_components(groups);
  ASSERT_TRUE(c.has_value());
  // MSW = 6 * 0.25 / 3 = 0.5; MSB = 2 * 2 / 2 = 2; between = (2 - 0.5) / 2 = 0.75.
  EXPECT_DOUBLE_EQ(c->within_seed, 0.5);
  EXPECT_DOUBLE_EQ(c->between_seeds, 0.75);
  EXPECT_EQ(c->seeds, 3u);
  EXPECT_EQ(c->runs, 6u);
}

TEST(VarianceComponents, DeterministicRunsHaveNoRunToRunPart) {
  std::vector<std::vector<double>> groups = {{0.9, 0.9}, {0.8, 0.8}};
  auto c = variance_components(groups);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->within_seed, 0.0);
  EXPECT_NEAR(c->between_seeds, 0.005, 1e-12);
}

TEST(VarianceComponents, NeedsRepeatsAndSeeds) {
  EXPECT_FALSE(variance_components({{0.9}, {0.8}}).has_value());
  EXPECT_FALSE(variance_components({{0.9, 0.8}}).has_value());
}

// Reference values below come from scipy 1.10.1 with numpy 1.24.2 (Debian
// 12's python3-scipy). The noncentral t bounds solve scipy.stats.nct.cdf(t,
// n - 1, delta) = p with scipy.optimize.brentq; the MLS and F bounds apply
// the formulas of intervals.cpp to scipy.stats.chi2.ppf and f.ppf.

TEST(CvInterval, InvertsTheNoncentralT) {
  // One-sided 95% bounds (level 0.90).
  std::vector<double> three = {0.90, 0.92, 0.91};
  Interval i = cv_interval(three, 0.90);
  EXPECT_NEAR(i.upper, 0.04853793527, 1e-5 * 0.0485);  // scipy 1.10.1 nct + brentq
  EXPECT_NEAR(i.lower, 0.006348813146, 1e-5 * 0.0063);
  std::vector<double> two = {0.90, 0.93};
  Interval j = cv_interval(two, 0.90);
  EXPECT_NEAR(j.upper, 0.3696698777, 1e-5 * 0.37);  // scipy 1.10.1
  EXPECT_NEAR(j.lower, 0.01182711235, 1e-5 * 0.0118);
  std::vector<double> ten = {0.90, 0.92, 0.91, 0.89, 0.93, 0.90, 0.92, 0.91, 0.90, 0.92};
  Interval k = cv_interval(ten, 0.90);
  EXPECT_NEAR(k.upper, 0.02255127198, 1e-5 * 0.0226);  // scipy 1.10.1
  EXPECT_NEAR(k.lower, 0.009995769131, 1e-5 * 0.0100);
  Interval k95 = cv_interval(ten, 0.95);
  EXPECT_NEAR(k95.upper, 0.02502542517, 1e-5 * 0.025);  // scipy 1.10.1
  EXPECT_NEAR(k95.lower, 0.009426804525, 1e-5 * 0.0094);
}

TEST(CvInterval, WideSpreadStillBoundsAFiniteCv) {
  // cv 0.516: the mean is clearly away from 0 yet the upper bound is 2.65.
  std::vector<double> x = {1.0, 2.0, 3.0, 4.0};
  Interval i = cv_interval(x, 0.90);
  EXPECT_NEAR(i.upper, 2.648683927, 1e-5 * 2.65);  // scipy 1.10.1
  EXPECT_NEAR(i.lower, 0.2990473942, 1e-5 * 0.299);
}

TEST(CvInterval, VeryStableMetricsStayExact) {
  // cv 2.3e-5 puts the noncentrality near 3e5, past what Boost's noncentral t
  // (and scipy 1.10.1's nct.cdf, which aborts there) can evaluate. Reference:
  // scipy 1.10.1 integrate.quad of norm.cdf(t sqrt(v / 49) - delta) against
  // chi2.pdf(v, 49), solved with brentq.
  std::vector<double> x;
  for (int i = 0; i < 50; ++i) x.push_back(0.9 + 1e-5 * (i % 7));
  Interval i = cv_interval(x, 0.90);
  EXPECT_NEAR(i.lower, 1.952298289e-05, 1e-5 * 1.95e-5);
  EXPECT_NEAR(i.upper, 2.72982998e-05, 1e-5 * 2.73e-5);
}

TEST(CvInterval, MeanNearZeroHasNoUpperBound) {
  std::vector<double> x = {0.5, -0.4, 0.3};
  Interval i = cv_interval(x, 0.90);
  EXPECT_EQ(i.upper, std::numeric_limits<double>::infinity());
  EXPECT_NEAR(i.lower, 0.8164154097, 1e-5 * 0.816);  // scipy 1.10.1
}

TEST(CvInterval, NoSpreadGivesZero) {
  std::vector<double> same(4, 0.9);
  Interval i = cv_interval(same, 0.90);
  EXPECT_EQ(i.lower, 0.0);
  EXPECT_EQ(i.upper, 0.0);
}

// Five seeds, two repeats each: MSB = 0.000385 on 4 df, MSW = 0.00027 on 5 df.
const std::vector<std::vector<double>> kRepeats = {
    {0.91, 0.93}, {0.90, 0.92}, {0.94, 0.93}, {0.89, 0.92}, {0.92, 0.95}};

TEST(SingleRunStd, ModifiedLargeSampleBounds) {
  SingleRunStd s = single_run_std_interval(kRepeats, 0.90);
  EXPECT_NEAR(s.estimate, 0.0180969610709, 1e-12);        // sqrt(0.000385 / 2 + 0.00027 / 2)
  EXPECT_NEAR(s.interval.lower, 0.0139210070939, 1e-10);  // scipy 1.10.1 chi2.ppf
  EXPECT_NEAR(s.interval.upper, 0.0364353873353, 1e-10);  // scipy 1.10.1 chi2.ppf
  EXPECT_NEAR(s.df, 8.30860103125, 1e-9);                 // Satterthwaite
  SingleRunStd wide = single_run_std_interval(kRepeats, 0.95);
  EXPECT_NEAR(wide.interval.lower, 0.013383498143, 1e-10);  // scipy 1.10.1
  EXPECT_NEAR(wide.interval.upper, 0.0433584824577, 1e-10);
}

TEST(SingleRunStd, UnbalancedUsesN0) {
  // n0 = (8 - 18 / 8) / 3 = 1.91667; MSB = 0.000416667 on 3 df, MSW = 0.000175 on 4 df.
  std::vector<std::vector<double>> groups = {{0.91, 0.93, 0.92}, {0.90}, {0.94, 0.93}, {0.89, 0.92}};
  SingleRunStd s = single_run_std_interval(groups, 0.90);
  EXPECT_NEAR(s.estimate, 0.0173518574372, 1e-12);
  EXPECT_NEAR(s.interval.lower, 0.0125964284948, 1e-10);  // scipy 1.10.1
  EXPECT_NEAR(s.interval.upper, 0.0445252415144, 1e-10);  // scipy 1.10.1
  EXPECT_NEAR(s.df, 5.17893884255, 1e-9);
}

TEST(SingleRunStd, OneRunPerSeedIsTheChiSquareInterval) {
  std::vector<double> values = {0.951, 0.948, 0.955, 0.943, 0.957};
  std::vector<std::vector<double>> groups;
  for (double v : values) groups.push_back({v});
  SingleRunStd s = single_run_std_interval(groups, 0.95);
  double sample_std = 0.0055856960175075816;  // numpy std(ddof=1)
  Interval chi = std_interval(sample_std, values.size(), 0.95);
  EXPECT_NEAR(s.estimate, sample_std, 1e-15);
  EXPECT_NEAR(s.interval.lower, chi.lower, 1e-15);
  EXPECT_NEAR(s.interval.upper, chi.upper, 1e-15);
  EXPECT_NEAR(s.interval.upper, 0.016050808261357182, 1e-12);  // scipy 1.10.1 s sqrt(4 / chi2.ppf(0.025, 4))
  EXPECT_DOUBLE_EQ(s.df, 4.0);
}

TEST(SingleRunStd, SeedMeansCloserThanRepeatsTruncateAtRunToRun) {
  // Every seed mean is 0.92, so sigma_b^2 is truncated at 0 and the estimate
  // is sqrt(MSW) = sqrt(0.0008). With 100 seeds the MLS upper bound on
  // MSB/2 + MSW/2 (0.000513) falls below that; the bound is raised to it.
  std::vector<std::vector<double>> groups;
  for (int i = 0; i < 100; ++i)
    groups.push_back(i % 2 ? std::vector<double>{0.90, 0.94} : std::vector<double>{0.94, 0.90});
  SingleRunStd s = single_run_std_interval(groups, 0.90);
  EXPECT_NEAR(s.estimate, std::sqrt(0.0008), 1e-12);
  EXPECT_DOUBLE_EQ(s.interval.upper, s.estimate);
  EXPECT_NEAR(s.interval.lower, 0.01793580498978055, 1e-10);  // scipy 1.10.1
}

using Normal = test::SeededNormal;

std::vector<std::vector<double>> draw_groups(Normal& draw, std::size_t seeds, std::size_t repeats, double sd_seed,
                                             double sd_run) {
  std::vector<std::vector<double>> groups(seeds);
  for (auto& g : groups) {
    double seed_mean = draw(0.90, sd_seed);
    for (std::size_t r = 0; r < repeats; ++r) g.push_back(draw(seed_mean, sd_run));
  }
  return groups;
}

constexpr int kDraws = 4000;
constexpr double kSeedSd = 0.01, kRunSd = 0.0173;

TEST(SingleRunStdSimulation, UpperBoundCoversTheTrueStd) {
  // True single-run std sqrt(0.01^2 + 0.0173^2) = 0.01998.
  double truth = std::hypot(kSeedSd, kRunSd);
  Normal draw(20240611);
  int covered = 0;
  for (int i = 0; i < kDraws; ++i) {
    covered += single_run_std_interval(draw_groups(draw, 5, 2, kSeedSd, kRunSd), 0.90).interval.upper >= truth;
  }
  double rate = covered / static_cast<double>(kDraws);
  std::cout << "k=5 r=2: one-sided 95% upper bound covers " << rate << " of " << kDraws << " draws\n";
  EXPECT_GE(rate, 0.95 - 3 * std::sqrt(0.95 * 0.05 / kDraws));
}

TEST(SingleRunStdSimulation, TenSeedsRarelyBoundBelowThreeQuartersOfTheTruth) {
  // The upper bound does dip below 0.015 (true std 0.020) now and then: in
  // 200000 numpy draws 0.06% did, and the 0.1% quantile was 0.0155.
  double truth = std::hypot(kSeedSd, kRunSd);
  Normal draw(7);
  int below = 0, covered = 0;
  double lowest = std::numeric_limits<double>::infinity();
  for (int i = 0; i < kDraws; ++i) {
    double upper = single_run_std_interval(draw_groups(draw, 10, 2, kSeedSd, kRunSd), 0.90).interval.upper;
    below += upper < 0.015;
    covered += upper >= truth;
    lowest = std::min(lowest, upper);
  }
  std::cout << "k=10 r=2: covers " << covered / static_cast<double>(kDraws) << ", " << below << " of " << kDraws
            << " upper bounds below 0.015, lowest " << lowest << "\n";
  EXPECT_LE(below, kDraws / 200);
  EXPECT_GE(covered / static_cast<double>(kDraws), 0.95 - 3 * std::sqrt(0.95 * 0.05 / kDraws));
}

TEST(SeedShare, PointEstimateFromComponents) {
  auto c = variance_components(kRepeats);
  ASSERT_TRUE(c.has_value());
  // (0.000385 - 0.00027) / 2 = 0.0000575 between; share 0.0000575 / 0.0003275.
  EXPECT_NEAR(seed_share(*c), 0.175572519084, 1e-11);
  EXPECT_EQ(seed_share(VarianceComponents{}), 0.0);
}

TEST(SeedShare, ExactFInterval) {
  // F = 1.4259 on (4, 5) df: too weak to rule out a zero share.
  Interval i = seed_share_interval(kRepeats, 0.90);
  EXPECT_EQ(i.lower, 0.0);
  EXPECT_NEAR(i.upper, 0.79840077708, 1e-10);  // scipy 1.10.1 f.ppf(0.95, 5, 4)
  // Six seeds far apart, three close repeats each: F = 98.9 on (5, 12) df.
  std::vector<std::vector<double>> strong = {{0.90, 0.91, 0.905},  {0.93, 0.935, 0.94}, {0.88, 0.885, 0.89},
                                             {0.95, 0.945, 0.955}, {0.91, 0.92, 0.915}, {0.87, 0.875, 0.88}};
  auto c = variance_components(strong);
  ASSERT_TRUE(c.has_value());
  EXPECT_NEAR(seed_share(*c), 0.970267591675, 1e-11);
  Interval s = seed_share_interval(strong, 0.90);
  EXPECT_NEAR(s.lower, 0.911355051411, 1e-10);  // scipy 1.10.1 f.ppf(0.95, 5, 12)
  EXPECT_NEAR(s.upper, 0.993543178664, 1e-10);  // scipy 1.10.1 f.ppf(0.95, 12, 5)
}

TEST(SeedShare, UnbalancedUsesN0) {
  // n0 = 2.5, F = 57.956 on (4, 8) df.
  std::vector<std::vector<double>> groups = {
      {0.90, 0.91}, {0.93, 0.935, 0.94}, {0.88, 0.885, 0.89, 0.88}, {0.95}, {0.91, 0.92, 0.915}};
  auto c = variance_components(groups);
  ASSERT_TRUE(c.has_value());
  EXPECT_NEAR(seed_share(*c), 0.957952130117, 1e-11);
  Interval s = seed_share_interval(groups, 0.90);
  EXPECT_NEAR(s.lower, 0.849408128759, 1e-10);  // scipy 1.10.1
  EXPECT_NEAR(s.upper, 0.992889951449, 1e-10);  // scipy 1.10.1
}

TEST(SeedShare, IdenticalRepeatsPutItAllOnTheSeed) {
  Interval deterministic = seed_share_interval({{0.9, 0.9}, {0.8, 0.8}}, 0.90);
  EXPECT_EQ(deterministic.lower, 1.0);
  EXPECT_EQ(deterministic.upper, 1.0);
  Interval flat = seed_share_interval({{0.9, 0.9}, {0.9, 0.9}}, 0.90);
  EXPECT_EQ(flat.lower, 0.0);
  EXPECT_EQ(flat.upper, 1.0);
  Interval no_repeats = seed_share_interval({{0.9}, {0.8}}, 0.90);
  EXPECT_EQ(no_repeats.lower, 0.0);
  EXPECT_EQ(no_repeats.upper, 1.0);
}

TEST(InferredResolution, FromShortestDecimals) {
  std::vector<double> mixed = {0.91, 0.9, 0.925};
  EXPECT_DOUBLE_EQ(inferred_resolution(mixed), 0.001);
  std::vector<double> whole = {12.0, 15.0, 200.0};
  EXPECT_DOUBLE_EQ(inferred_resolution(whole), 1.0);
  std::vector<double> small = {0.00001, 0.00003, -0.0000125};
  EXPECT_DOUBLE_EQ(inferred_resolution(small), 1e-7);
  std::vector<double> nine = {0.123456789};
  EXPECT_DOUBLE_EQ(inferred_resolution(nine), 1e-9);
}

TEST(InferredResolution, ContinuousOrMissingValuesHaveNone) {
  std::vector<double> continuous = {0.91, 0.1 + 0.2};  // 0.30000000000000004
  EXPECT_EQ(inferred_resolution(continuous), 0.0);
  std::vector<double> ten_places = {0.1234567891};
  EXPECT_EQ(inferred_resolution(ten_places), 0.0);
  EXPECT_EQ(inferred_resolution({}), 0.0);
  std::vector<double> nan = {0.9, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ(inferred_resolution(nan), 0.0);
}

TEST(RoundingStdSlack, ExtremeErrorsSplitAcrossBothEnds) {
  // Even n: half at -h, half at +h, s = h sqrt(n / (n - 1)).
  EXPECT_DOUBLE_EQ(rounding_std_slack(0.001, 2), 0.0005 * std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(rounding_std_slack(0.001, 10), 0.0005 * std::sqrt(10.0 / 9));
  // Odd n: one more at one end, s = h sqrt((n + 1) / n).
  EXPECT_DOUBLE_EQ(rounding_std_slack(0.001, 3), 0.0005 * std::sqrt(4.0 / 3));
  // The same as the sample std of those extreme errors (numpy std(ddof=1) of [-h, -h, h, h, h]).
  EXPECT_NEAR(rounding_std_slack(0.01, 5), 0.005477225575051661, 1e-15);
  EXPECT_EQ(rounding_std_slack(0.001, 1), 0.0);
  EXPECT_EQ(rounding_std_slack(0.0, 10), 0.0);
}

}  // namespace
}  // namespace seedgate::checks
