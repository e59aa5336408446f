#include "checks/bootstrap.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace seedgate::checks {
namespace {

const std::vector<double> kAccuracies = {0.951, 0.948, 0.955, 0.943, 0.957, 0.949, 0.952, 0.946, 0.960, 0.941};

TEST(Bootstrap, SameSeedSameInterval) {
  BootstrapResult a = bootstrap(kAccuracies, BootStatistic::mean, 0.9, {2000, 7});
  BootstrapResult b = bootstrap(kAccuracies, BootStatistic::mean, 0.9, {2000, 7});
  EXPECT_EQ(a.bca.lower, b.bca.lower);
  EXPECT_EQ(a.bca.upper, b.bca.upper);
  BootstrapResult c = bootstrap(kAccuracies, BootStatistic::mean, 0.9, {2000, 8});
  EXPECT_NE(a.percentile.lower, c.percentile.lower);
}

// scipy.stats.bootstrap((x,), statistic, n_resamples=200000, confidence_level=0.9,
// random_state=1): different generators agree to Monte Carlo error. Means of
// ten three-decimal values lie on a 0.0001 grid, so ends may differ by a step.
TEST(Bootstrap, MeanAgreesWithScipy) {
  BootstrapResult r = bootstrap(kAccuracies, BootStatistic::mean, 0.9, {200000, 1});
  EXPECT_NEAR(r.estimate, 0.9502, 1e-12);
  EXPECT_NEAR(r.percentile.lower, 0.9472, 1.5e-4);
  EXPECT_NEAR(r.percentile.upper, 0.9532, 1.5e-4);
  EXPECT_NEAR(r.bca.lower, 0.9473, 1.5e-4);
  EXPECT_NEAR(r.bca.upper, 0.9533, 1.5e-4);
}

TEST(Bootstrap, StdBcaAgreesWithScipy) {
  BootstrapResult r = bootstrap(kAccuracies, BootStatistic::std, 0.9, {200000, 1});
  EXPECT_NEAR(r.percentile.lower, 0.00384274, 1e-4);
  EXPECT_NEAR(r.percentile.upper, 0.00730677, 1e-4);
  EXPECT_NEAR(r.bca.lower, 0.00470933, 1e-4);
  EXPECT_NEAR(r.bca.upper, 0.00803050, 1e-4);
  // BCa moves the interval up for a standard deviation: the acceleration is not 0.
  EXPECT_GT(r.bca.upper, r.percentile.upper);
}

TEST(Bootstrap, EveryValueTheSameIsNotNan) {
  std::vector<double> same(8, 0.93);
  for (BootStatistic s :
       {BootStatistic::mean, BootStatistic::std, BootStatistic::cv, BootStatistic::median, BootStatistic::iqm}) {
    BootstrapResult r = bootstrap(same, s, 0.95, {1000, 0});
    EXPECT_FALSE(std::isnan(r.bca.lower)) << to_string(s);
    EXPECT_EQ(r.bca.lower, r.bca.upper) << to_string(s);
    EXPECT_EQ(r.percentile.lower, r.estimate) << to_string(s);
  }
}

TEST(Bootstrap, DiscreteStatisticWithTiesStaysFinite) {
  // Two distinct values: many replicates tie with the estimate.
  std::vector<double> values = {0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8};
  BootstrapResult r = bootstrap(values, BootStatistic::median, 0.95, {5000, 3});
  EXPECT_TRUE(std::isfinite(r.bca.lower));
  EXPECT_TRUE(std::isfinite(r.bca.upper));
  EXPECT_LE(r.bca.lower, r.bca.upper);
}

TEST(Bootstrap, IntervalsContainTheEstimate) {
  for (BootStatistic s : {BootStatistic::mean, BootStatistic::cv, BootStatistic::median, BootStatistic::iqm}) {
    BootstrapResult r = bootstrap(kAccuracies, s, 0.95, {4000, 5});
    EXPECT_NEAR(r.estimate, bootstrap_statistic(s, kAccuracies), 1e-15) << to_string(s);
    EXPECT_LE(r.bca.lower, r.estimate) << to_string(s);
    EXPECT_GE(r.bca.upper, r.estimate) << to_string(s);
  }
}

// The jackknife's shortcuts (sums for moments, prefix sums for ranks) must
// equal leaving each value out by hand; the acceleration depends on them.
TEST(Bootstrap, AccelerationMatchesABruteForceJackknife) {
  for (BootStatistic s :
       {BootStatistic::mean, BootStatistic::std, BootStatistic::cv, BootStatistic::median, BootStatistic::iqm}) {
    std::vector<double> jack;
    for (std::size_t i = 0; i < kAccuracies.size(); ++i) {
      std::vector<double> rest;
      for (std::size_t j = 0; j < kAccuracies.size(); ++j)
        if (j != i) rest.push_back(kAccuracies[j]);
      jack.push_back(bootstrap_statistic(s, rest));
    }
    double mean = 0;
    for (double j : jack) mean += j / static_cast<double>(jack.size());
    double num = 0, den = 0;
    for (double j : jack) {
      num += std::pow(mean - j, 3);
      den += std::pow(mean - j, 2);
    }
    double expected = den > 0 ? num / (6 * std::pow(den, 1.5)) : 0;
    EXPECT_NEAR(bootstrap(kAccuracies, s, 0.9, {100, 0}).acceleration, expected, 1e-9) << to_string(s);
  }
}

}  // namespace
}  // namespace seedgate::checks
