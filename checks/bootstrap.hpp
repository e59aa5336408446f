#pragma once
// Bootstrap intervals, percentile and BCa, for the statistics a check judges.
// Resampling is seeded and uses a fixed generator (xoshiro256**) and
// unbiased index draws, so the same data and seed give the same interval on
// every platform: a report can be reproduced.
#include <cstddef>
#include <cstdint>
#include <span>

#include "checks/intervals.hpp"

namespace seedgate::checks {

enum class BootStatistic { mean, std, cv, median, iqm };
const char* to_string(BootStatistic statistic);

// The statistic itself on a sample: mean, sample std (n-1), std/|mean|,
// median, interquartile mean.
double bootstrap_statistic(BootStatistic statistic, std::span<const double> values);

struct BootstrapOptions {
  std::size_t resamples = 10000;
  std::uint64_t seed = 0;
};

struct BootstrapResult {
  double estimate = 0;
  Interval percentile;
  Interval bca;
  double bias_correction = 0;  // z0
  double acceleration = 0;     // a, from the jackknife
};

// Needs two values or more. When every value is the same, both intervals are
// that value (no NaN): there is nothing to resample.
BootstrapResult bootstrap(std::span<const double> values, BootStatistic statistic, double level,
                          const BootstrapOptions& options = {});

}  // namespace seedgate::checks
