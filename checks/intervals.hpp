#pragma once
// Estimators and confidence intervals over per-seed values. Every function is
// pure; quantiles come from Boost.Math's distributions. Levels are two-sided
// (0.90 gives a 90% interval, so each end is a 95% one-sided bound); a gate
// that wants one-sided bounds at confidence c asks for level 2c - 1.
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace seedgate::checks {

struct Interval {
  double lower = 0;
  double upper = 0;
  double level = 0;  // two-sided coverage, e.g. 0.95
};

// Quantiles used across the statistics.
double normal_quantile(double p);
double student_t_quantile(double df, double p);
double chi_squared_quantile(double df, double p);

// The q-quantile of an ascending sample, interpolating linearly between order
// statistics (numpy's default percentile).
double quantile_of_sorted(std::span<const double> sorted, double q);

// Mean with the Student-t interval. Needs two values or more.
Interval mean_interval(std::span<const double> values, double level);

// Interval for sigma from the chi-square distribution of (n-1)s^2/sigma^2.
Interval std_interval(double sample_std, std::size_t n, double level);

// Mean of the middle half: scipy.stats.trim_mean(values, 0.25), as rliable
// reports it. Cuts floor(n/4) values from each end.
double interquartile_mean(std::span<const double> values);

// Exact (Clopper–Pearson) interval for a binomial proportion.
Interval clopper_pearson(std::size_t successes, std::size_t trials, double level);

// One-sided normal tolerance factor k: with confidence `confidence`, a
// fraction `coverage` of the population lies above mean - k*s (exact, from
// the noncentral t with n-1 degrees of freedom and noncentrality
// z_coverage * sqrt(n)). Needs n >= 2.
double normal_tolerance_factor(std::size_t n, double coverage, double confidence);

// Order statistics as distribution-free bounds for the p-quantile q_p.
// lower: the largest rank r (1-based) with P(X_(r) <= q_p) >= confidence;
// upper: the smallest rank s with P(X_(s) >= q_p) >= confidence. nullopt when
// n values are too few for that confidence (the minimum of n seeds bounds the
// 10th percentile with 95% confidence only from n = 29 on).
std::optional<std::size_t> lower_order_rank(std::size_t n, double p, double confidence);
std::optional<std::size_t> upper_order_rank(std::size_t n, double p, double confidence);

// Seed-to-seed and run-to-run parts of the variance, from a one-way
// random-effects analysis of variance over seeds with repeats (unbalanced
// groups use the usual n0). `groups` holds each seed's repeated values.
struct VarianceComponents {
  double between_seeds = 0;  // variance of the seed effect (truncated at 0)
  double within_seed = 0;    // run-to-run variance: nondeterminism with the seed fixed
  std::size_t seeds = 0;
  std::size_t runs = 0;
};
// nullopt without two seeds, or without any seed that has two repeats.
std::optional<VarianceComponents> variance_components(const std::vector<std::vector<double>>& groups);

}  // namespace seedgate::checks
