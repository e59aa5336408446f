#include "checks/compare.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace seedgate::checks {
namespace {

// R's `sleep` data set (Cushny and Peebles): extra hours of sleep per group.
const std::vector<double> kSleep1 = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
const std::vector<double> kSleep2 = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

TEST(Welch, ReproducesRSleepTTest) {
  // R: t.test(extra ~ group, data = sleep).
  WelchResult r = welch_test(kSleep1, kSleep2, 0.95);
  EXPECT_NEAR(r.t, -1.8608135, 1e-7);
  EXPECT_NEAR(r.df, 17.776474, 1e-6);
  EXPECT_NEAR(r.p_two_sided, 0.07939414, 1e-8);
  EXPECT_NEAR(r.interval.lower, -3.3654832, 1e-7);
  EXPECT_NEAR(r.interval.upper, 0.2054832, 1e-7);
}

TEST(Welch, NoSpreadIsExact) {
  std::vector<double> a(4, 0.9), b(4, 0.8);
  WelchResult r = welch_test(a, b, 0.95);
  EXPECT_NEAR(r.difference, 0.1, 1e-12);
  EXPECT_EQ(r.interval.lower, r.interval.upper);
  EXPECT_EQ(r.p_two_sided, 0.0);
  EXPECT_EQ(non_inferiority_p(r, 0.0), 0.0);
}

TEST(NonInferiority, OneSidedAgainstTheMargin) {
  // Difference -1.58, se 0.849: with margin 2, H0 (difference <= -2) gives t = 0.4947.
  WelchResult r = welch_test(kSleep1, kSleep2, 0.95);
  double p = non_inferiority_p(r, 2.0);
  EXPECT_NEAR(p, 0.3134, 1e-3);
  // With margin 4 the group is clearly non-inferior; with 0 it is not.
  EXPECT_LT(non_inferiority_p(r, 4.0), 0.01);
  EXPECT_GT(non_inferiority_p(r, 0.0), 0.9);
}

TEST(Equivalence, TostIsTheLargerOneSidedP) {
  WelchResult r = welch_test(kSleep1, kSleep2, 0.95);
  EXPECT_DOUBLE_EQ(equivalence_p(r, 2.0), non_inferiority_p(r, 2.0));
  EXPECT_LT(equivalence_p(r, 5.0), 0.01);
}

TEST(MannWhitney, ReproducesScipy) {
  // scipy.stats.mannwhitneyu([19,22,16,29,24], [20,11,17,12]) (asymptotic, continuity correction).
  std::vector<double> x = {19, 22, 16, 29, 24}, y = {20, 11, 17, 12};
  MannWhitneyResult r = mann_whitney(x, y);
  EXPECT_DOUBLE_EQ(r.u, 17.0);
  EXPECT_NEAR(r.p_two_sided, 0.11134688653314041, 1e-12);
  EXPECT_DOUBLE_EQ(r.prob_greater, 17.0 / 20.0);
}

TEST(MannWhitney, TiesCountHalf) {
  std::vector<double> x = {1, 2, 2}, y = {2, 2, 3};
  MannWhitneyResult r = mann_whitney(x, y);
  // Pairs: x=1 loses 3; each x=2 ties two and loses one: U = 4 * 0.5 = 2.
  EXPECT_DOUBLE_EQ(r.u, 2.0);
  EXPECT_GT(r.p_two_sided, 0.2);
}

TEST(BrunnerMunzel, ReproducesScipy) {
  // scipy.stats.brunnermunzel(x, y) (its documentation's example).
  std::vector<double> x = {1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 1, 1};
  std::vector<double> y = {3, 3, 4, 3, 1, 2, 3, 1, 1, 5, 4};
  BrunnerMunzelResult r = brunner_munzel(x, y);
  EXPECT_NEAR(r.w, 3.1374674823029505, 1e-12);
  EXPECT_NEAR(r.p_two_sided, 0.0057862086661515377, 1e-12);
  EXPECT_GT(r.p_hat, 0.5);
}

TEST(BrunnerMunzel, CompleteSeparationIsNotNan) {
  std::vector<double> x = {1, 2, 3}, y = {4, 5, 6};
  BrunnerMunzelResult r = brunner_munzel(x, y);
  EXPECT_EQ(r.p_two_sided, 0.0);
  EXPECT_EQ(r.p_hat, 1.0);
}

TEST(Power, ReproducesRPowerTTest) {
  // R: power.t.test(delta = 1, sd = 1, power = .8)$n prints 16.71477; R's uniroot stops
  // within its tolerance of the root, 16.7147598 (scipy.stats.nct with brentq).
  EXPECT_NEAR(t_test_sample_size({}), 16.71477, 2e-5);
  EXPECT_NEAR(t_test_sample_size({}), 16.7147598, 1e-6);
  // R: power.t.test(n = 20, delta = 1)$power.
  EXPECT_NEAR(t_test_power({}, 20), 0.8689528, 1e-6);
  // One sample, one-sided: scipy.stats.nct.sf solved with scipy.optimize.brentq.
  PowerQuery one{1, 1, 0.05, 0.8, false, false};
  EXPECT_NEAR(t_test_sample_size(one), 7.7276179, 1e-6);
}

}  // namespace
}  // namespace seedgate::checks
