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
double fisher_f_quantile(double df1, double df2, double p);

// P(T <= t) for the noncentral t with df degrees of freedom and
// noncentrality delta, t and delta >= 0, for any delta (Boost's series fails
// past about 65,000): one integral over the normal part.
double noncentral_t_cdf(double t, double df, double delta);

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

// Share of the variance of one run that comes from the seed (the intraclass
// correlation), between / (between + within). 1 when repeats of a seed never
// differ but seeds do; 0 when nothing varies at all.
double seed_share(const VarianceComponents& components);

// Exact F interval for the seed share (one-way random-effects ICC; Searle
// 1971, Shrout & Fleiss 1979 ICC(1)), from F = MSB / MSW on k-1 and N-k
// degrees of freedom, clamped to [0, 1]. Unbalanced groups use n0, which makes
// it approximate. Identical repeats with differing seeds give [1, 1]; no
// variation anywhere, or no repeats, gives [0, 1]. Needs two non-empty groups.
Interval seed_share_interval(const std::vector<std::vector<double>>& groups, double level);

// Standard deviation of ONE run, seed-to-seed and run-to-run variation
// together: sqrt(sigma_b^2 + sigma_w^2), estimated by MSB/n0 + (1 - 1/n0) MSW
// (n0 = r when every seed has r repeats) with sigma_b^2 truncated at 0.
struct SingleRunStd {
  double estimate = 0;
  Interval interval;  // modified large-sample (MLS) bounds on the std
  double df = 0;      // Satterthwaite df of the variance estimate; 0 when nothing varies
};
// Needs two non-empty groups; groups of one value each reduce it to
// std_interval over those values. MLS bounds (Graybill & Wang 1980; Burdick &
// Graybill 1992, "Confidence Intervals on Variance Components") are
// approximate, near or above nominal coverage (simulated: a 95% upper bound
// covered 98% of draws at 5 seeds x 2 repeats), more so with unbalanced
// groups. The upper bound is never below the estimate.
SingleRunStd single_run_std_interval(const std::vector<std::vector<double>>& groups, double level);

// Exact normal-theory interval for the coefficient of variation sigma / |mu|,
// inverting the noncentral t distribution of sqrt(n) |mean| / s. The upper
// bound is +inf when the mean is not clearly away from 0 at that confidence;
// s = 0 gives [0, 0] (a caller widens it by the values' resolution); a
// non-finite value gives NaN bounds. Needs two values or more.
Interval cv_interval(std::span<const double> values, double level);

// The decimal step the values are written to, from their shortest round-trip
// representations: 0.91, 0.9 and 0.925 give 0.001. 0 when there are no
// values, one is not finite, or one needs more than 9 decimals (a continuous
// metric rather than a rounded one).
double inferred_resolution(std::span<const double> values);

// A bound on how far rounding n values to `resolution` can move their sample
// standard deviation (n - 1 denominator), either way: the largest sample std
// that n rounding errors can have. 0 for n < 2.
double rounding_std_slack(double resolution, std::size_t n);

}  // namespace seedgate::checks
