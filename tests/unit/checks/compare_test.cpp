#include "checks/compare.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "tests/unit/checks/seeded_normal.hpp"

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

TEST(Paired, ReproducesSleepPairedTTest) {
  // The sleep data are paired (the same ten patients under both drugs).
  // R: t.test(sleep1, sleep2, paired = TRUE); scipy 1.10.1: scipy.stats.ttest_rel(sleep1, sleep2),
  // scipy.stats.pearsonr for r.
  PairedResult r = paired_t_test(kSleep1, kSleep2, 0.95);
  EXPECT_NEAR(r.difference, -1.58, 1e-12);
  EXPECT_NEAR(r.standard_error, 0.3889587238883952, 1e-12);
  EXPECT_NEAR(r.t, -4.062127683382037, 1e-12);
  EXPECT_DOUBLE_EQ(r.df, 9.0);
  EXPECT_NEAR(r.p_two_sided, 0.00283289019738427, 1e-12);
  // R prints the interval as -2.4598858 -0.7001142. scipy 1.10.1's t.ppf(0.975, 9) is 6e-11 low,
  // so the full digits are from mpmath 1.3.0 at 30 digits (the t quantile by findroot on betainc):
  // -2.4598857632769828, -0.7001142367230172.
  EXPECT_NEAR(r.interval.lower, -2.4598857632769828, 1e-12);
  EXPECT_NEAR(r.interval.upper, -0.7001142367230172, 1e-12);
  EXPECT_NEAR(r.correlation, 0.7951702058335779, 1e-12);
  // Pairing removes the patient-to-patient spread: Welch on the same data gives p = 0.079.
  EXPECT_LT(r.p_two_sided, welch_test(kSleep1, kSleep2, 0.95).p_two_sided);
}

TEST(Paired, MarginTestsTakeThePairedResult) {
  // scipy 1.10.1: scipy.stats.t.sf((-1.58 + 2) / 0.3889587238883952, 9), the margin-2 one-sided
  // p; the upper side of TOST is far smaller, so TOST's p is the same.
  PairedResult r = paired_t_test(kSleep1, kSleep2, 0.95);
  EXPECT_NEAR(non_inferiority_p(r, 2.0), 0.15415723566909756, 1e-12);
  EXPECT_NEAR(equivalence_p(r, 2.0), 0.15415723566909756, 1e-12);
}

TEST(Paired, ConstantSidesAreNotNan) {
  std::vector<double> a(4, 0.9), b = {0.7, 0.8, 0.8, 0.9};
  PairedResult r = paired_t_test(a, b, 0.95);
  EXPECT_EQ(r.correlation, 0.0);
  EXPECT_FALSE(std::isnan(r.p_two_sided));
  // A constant difference is known exactly.
  std::vector<double> c = {3, 4, 5}, d = {1, 2, 3};
  PairedResult exact = paired_t_test(c, d, 0.95);
  EXPECT_EQ(exact.p_two_sided, 0.0);
  EXPECT_NEAR(exact.correlation, 1.0, 1e-12);
}

TEST(Paired, UnequalLengthsThrow) {
  std::vector<double> a = {1, 2, 3}, b = {1, 2};
  EXPECT_THROW(paired_t_test(a, b, 0.95), std::invalid_argument);
  EXPECT_THROW(wilcoxon_signed_rank(a, b), std::invalid_argument);
}

TEST(Wilcoxon, ExactWithoutTies) {
  // Darwin's Zea mays differences (scipy.stats.wilcoxon's documentation example), laid on a baseline.
  // scipy 1.10.1: scipy.stats.wilcoxon(x, y) (default method "auto" -> exact) gives 24.0, 0.041259765625.
  std::vector<double> x = {106, 111, 120, 125, 135, 139, 146, 150, 165, 79, 179, 189, 196, 72, 217};
  std::vector<double> y = {100, 103, 106, 109, 112, 115, 118, 121, 124, 127, 130, 133, 136, 139, 142};
  WilcoxonResult r = wilcoxon_signed_rank(x, y);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.statistic, 24.0);
  EXPECT_DOUBLE_EQ(r.w_plus, 120.0 - 24.0);
  EXPECT_DOUBLE_EQ(r.p_two_sided, 0.041259765625);
  // Swapping the sides keeps the two-sided statistic and p.
  WilcoxonResult swapped = wilcoxon_signed_rank(y, x);
  EXPECT_DOUBLE_EQ(swapped.w_plus, 24.0);
  EXPECT_DOUBLE_EQ(swapped.p_two_sided, r.p_two_sided);
}

TEST(Wilcoxon, ApproximationWithTiesAndZeros) {
  // Differences 2, 0, -2, 4, 2, 3, -1, 4, 4, 3, 0, 3: two zeros (dropped) and three tie groups.
  // scipy 1.10.1: scipy.stats.wilcoxon(x, y) (zeros switch "auto" to "approx") gives 4.0,
  // 0.015768598674293897; method="approx" gives the same.
  std::vector<double> x = {12, 15, 11, 18, 14, 16, 13, 17, 15, 19, 12, 20};
  std::vector<double> y = {10, 15, 13, 14, 12, 13, 14, 13, 11, 16, 12, 17};
  WilcoxonResult r = wilcoxon_signed_rank(x, y);
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.statistic, 4.0);
  EXPECT_DOUBLE_EQ(r.w_plus, 51.0);
  EXPECT_NEAR(r.p_two_sided, 0.015768598674293897, 1e-12);
}

TEST(Wilcoxon, DegenerateInputs) {
  std::vector<double> same = {1, 2, 3};
  EXPECT_EQ(wilcoxon_signed_rank(same, same).p_two_sided, 1.0);
  std::vector<double> nan = {1, std::nan(""), 3};
  EXPECT_TRUE(std::isnan(wilcoxon_signed_rank(nan, same).p_two_sided));
}

TEST(TostPower, EquivalenceNeedsMoreSeedsThanNonInferiority) {
  // Margin of one sd, true difference 0, alpha 0.05, power 0.8. Non-inferiority is the
  // one-sided t test at the margin, as power.t.test(delta = 1, power = .8, alternative =
  // "one.sided"): scipy 1.10.1 nct.sf solved with brentq, 13.097761619826873.
  PowerQuery non_inferiority{1, 1, 0.05, 0.8, true, false};
  EXPECT_NEAR(t_test_sample_size(non_inferiority), 13.097761619826873, 1e-6);
  EXPECT_EQ(std::ceil(t_test_sample_size(non_inferiority)), 14.0);
  // TOST's exact power: mpmath 1.3.0 at 30 digits, quad of erf(h(v) / sqrt(2)) * chi2.pdf(v)
  // over [0, v_max], n solved with findroot: 17.847120623533463 (scipy 1.10.1 integrate.quad with
  // brentq: 17.84712057, its t.ppf being slightly off). The noncentral-t shortcut
  // 1 - 2 nct.cdf(t.ppf(0.95, df), df, sqrt(n / 2)) (PowerTOST method="nct") gives 17.8471 too.
  EXPECT_NEAR(tost_sample_size(non_inferiority), 17.847120623533463, 1e-8);
  EXPECT_EQ(std::ceil(tost_sample_size(non_inferiority)), 18.0);
  // Power at 18 seeds per group, same mpmath integral: 0.80454497739531852.
  EXPECT_NEAR(tost_power(non_inferiority, 18), 0.80454497739531852, 1e-12);
  // One sample (the paired design), same mpmath method: 10.078617893219170 (the shortcut: 10.0811).
  PowerQuery one_sample{1, 1, 0.05, 0.8, false, false};
  EXPECT_NEAR(tost_sample_size(one_sample), 10.078617893219170, 1e-8);
}

TEST(TostPower, ExactWhereTheShortcutReadsZero) {
  // One sample, margin 0.5 sd, 12 seeds: the shortcut (scipy 1.10.1 nct.cdf) gives 0, the
  // exact integral (mpmath 1.3.0 as above) 0.10714426140955404.
  PowerQuery q{0.5, 1, 0.05, 0.8, false, false};
  EXPECT_NEAR(tost_power(q, 12), 0.10714426140955404, 1e-12);
}

TEST(TostPower, LargeSamplesWhereTheQuadratureMissedThePeak) {
  // margin 0.01 sd, alpha 0.1, two samples: the chi-square's mass is a sliver
  // near df, which integrating over [0, v_max] missed (power 0, and the
  // sample-size search threw). scipy 1.10.1 integrate.quad over df +- 12
  // sqrt(2 df): power 0.7986593075323623 at n = 131,000; n for 80%
  // 131390.36379989772 by brentq (the nct shortcut: 131390.3638091).
  PowerQuery q{0.01, 1, 0.1, 0.8, true, false};
  EXPECT_NEAR(tost_power(q, 131000), 0.7986593075323623, 1e-9);
  EXPECT_NEAR(tost_sample_size(q), 131390.36379989772, 1e-3);
  // A margin no sample can resolve: infinity, not an exception.
  PowerQuery hopeless{1e-9, 1, 0.1, 0.8, true, false};
  EXPECT_TRUE(std::isinf(tost_sample_size(hopeless)));
}

TEST(TPower, MarginsFarBeyondTheSpread) {
  // Found by fuzz_policy: a margin 10^6 times the std gives a noncentrality
  // Boost's series cannot take (it threw from policy lint). Power is 1 from
  // the smallest sample on; at a moderate noncentrality the integral agrees
  // with Boost's (13.097761619826873 above).
  PowerQuery huge{1e6, 1, 0.05, 0.8, true, false};
  EXPECT_NEAR(t_test_power(huge, 2), 1.0, 1e-12);
  EXPECT_EQ(t_test_sample_size(huge), 2.0);
  PowerQuery usual{1, 1, 0.05, 0.8, true, false};
  boost::math::non_central_t_distribution<double> t(2 * (14.0 - 1), std::sqrt(14.0 / 2));
  double boost_power =
      boost::math::cdf(boost::math::complement(t, boost::math::quantile(boost::math::students_t(26.0), 0.95)));
  EXPECT_NEAR(t_test_power(usual, 14), boost_power, 1e-12);
}

using Normal = test::SeededNormal;

struct SimulatedPower {
  double paired = 0, welch = 0;
};

// Share of `draws` experiments in which the one-sided test at alpha rejects
// H0: difference <= 0, with n seeds whose candidate (x) and baseline (y)
// values are standard normal with correlation rho, x shifted up by delta.
SimulatedPower simulate_power(std::size_t n, double rho, double delta, double alpha, int draws, std::uint64_t seed) {
  Normal draw(seed);
  SimulatedPower hits;
  std::vector<double> x(n), y(n);
  for (int s = 0; s < draws; ++s) {
    for (std::size_t i = 0; i < n; ++i) {
      double shared = draw(), own = draw();
      y[i] = shared;
      x[i] = delta + rho * shared + std::sqrt(1 - rho * rho) * own;
    }
    // non_inferiority_p at margin 0 is the one-sided p of H0: difference <= 0.
    hits.paired += non_inferiority_p(paired_t_test(x, y, 0.95), 0) < alpha;
    hits.welch += non_inferiority_p(welch_test(x, y, 0.95), 0) < alpha;
  }
  return {hits.paired / draws, hits.welch / draws};
}

// Seeds for a one-sided test at alpha 0.05 to detect a 0.5 sd improvement with power 0.8, when
// each seed's candidate and baseline values are correlated by rho. Unpaired, the two-sample
// test needs power.t.test(delta = .5, power = .8, alternative = "one.sided")$n = 50.15 per
// group; paired, the one-sample test on differences with sd sqrt(2 (1 - rho)) needs 11.37 at
// rho = 0.8 and 26.14 at rho = 0.5 (scipy 1.10.1 nct.sf with brentq). The simulation runs
// both tests on the paired design's seed count: the paired test reaches its predicted power,
// Welch's, blind to the pairing, falls far short of 0.8.
TEST(PairedPower, PairingSavesSeedsOnCorrelatedRuns) {
  PowerQuery unpaired{0.5, 1, 0.05, 0.8, true, false};
  EXPECT_NEAR(t_test_sample_size(unpaired), 50.15078338601424, 1e-6);
  struct Case {
    double rho, expected_n;
  };
  for (Case c : {Case{0.8, 11.373336197179588}, Case{0.5, 26.137503805973438}}) {
    PowerQuery paired{0.5, std::sqrt(2 * (1 - c.rho)), 0.05, 0.8, false, false};
    EXPECT_NEAR(t_test_sample_size(paired), c.expected_n, 1e-6);
    double n = std::ceil(t_test_sample_size(paired));
    double predicted = t_test_power(paired, n);
    SimulatedPower simulated = simulate_power(static_cast<std::size_t>(n), c.rho, 0.5, 0.05, 4000, 20240611);
    std::cout << "rho " << c.rho << ": paired needs " << n << " seeds, unpaired "
              << std::ceil(t_test_sample_size(unpaired)) << " per group; at " << n
              << " seeds the paired test's power is " << predicted << " predicted, " << simulated.paired
              << " simulated, Welch's " << simulated.welch << " simulated\n";
    EXPECT_NEAR(simulated.paired, predicted, 0.03);
    EXPECT_LT(simulated.welch, 0.65);
  }
}

}  // namespace
}  // namespace seedgate::checks
