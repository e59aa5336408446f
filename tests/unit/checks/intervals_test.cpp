#include "checks/intervals.hpp"

#include <gtest/gtest.h>

#include <vector>

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

}  // namespace
}  // namespace seedgate::checks
