#include "checks/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace seedgate::checks {
namespace {

TEST(StatsTest, SummaryOfKnownSample) {
  // R: x <- c(2, 4, 4, 4, 5, 5, 7, 9); mean(x) = 5, sd(x) = 2.13809, median(x) = 4.5
  std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};
  Summary s = summarize(x);
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.std, 2.138089935, 1e-9);
  EXPECT_DOUBLE_EQ(s.median, 4.5);
  EXPECT_DOUBLE_EQ(s.range(), 7.0);
  EXPECT_NEAR(s.cv(), 2.138089935 / 5, 1e-9);
}

TEST(StatsTest, SingleValueHasZeroSpread) {
  std::vector<double> x = {0.93};
  Summary s = summarize(x);
  EXPECT_EQ(s.std, 0.0);
  EXPECT_EQ(s.median, 0.93);
}

TEST(StatsTest, StableForCloseValues) {
  // Naive sum-of-squares loses every digit here; Welford does not.
  std::vector<double> x = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  EXPECT_NEAR(summarize(x).std, std::sqrt(30.0), 1e-6);
}

TEST(StatsTest, NonFinitePropagates) {
  std::vector<double> x = {0.9, NAN, 0.8};
  EXPECT_TRUE(std::isnan(summarize(x).mean));
  EXPECT_TRUE(std::isnan(summarize(x).std));
}

TEST(StatsTest, CoefficientOfVariationAtZeroMean) {
  std::vector<double> x = {-1, 1};
  EXPECT_TRUE(std::isinf(summarize(x).cv()));
}

}  // namespace
}  // namespace seedgate::checks
