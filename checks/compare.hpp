#pragma once
// Two-sample comparisons of a candidate's per-seed values (x) with a
// baseline's (y), and the power calculation behind `policy lint`. Pure
// functions; p-values and quantiles from Boost.Math.
#include <cstddef>
#include <span>

#include "checks/intervals.hpp"

namespace seedgate::checks {

// Welch's t test of mean(x) - mean(y) with Welch–Satterthwaite degrees of
// freedom; `interval` is the two-sided interval for the difference at `level`.
struct WelchResult {
  double difference = 0;
  double standard_error = 0;
  double t = 0;
  double df = 0;
  double p_two_sided = 1;
  Interval interval;
};
WelchResult welch_test(std::span<const double> x, std::span<const double> y, double level);

// One-sided p-value of H0: mean(x) - mean(y) <= -margin (x is worse than y by
// the margin or more) against H1: the difference is above -margin. Small p:
// x is non-inferior. For a metric to minimise, pass the values negated.
double non_inferiority_p(const WelchResult& welch, double margin);

// Two one-sided tests of H0: |mean(x) - mean(y)| >= margin; p is the larger
// of the two one-sided p-values. Small p: the means are equivalent.
double equivalence_p(const WelchResult& welch, double margin);

// Mann–Whitney U for x with the tie correction and the asymptotic two-sided
// p-value with continuity correction (scipy.stats.mannwhitneyu's defaults with
// method="asymptotic"). prob_greater is P(X > Y) + P(X = Y)/2 = U / (n_x n_y).
struct MannWhitneyResult {
  double u = 0;
  double p_two_sided = 1;
  double prob_greater = 0.5;
};
MannWhitneyResult mann_whitney(std::span<const double> x, std::span<const double> y);

// Brunner–Munzel test (t approximation) of P(X < Y) + P(X = Y)/2 = 1/2, as
// scipy.stats.brunnermunzel: w > 0 when y tends to be larger.
struct BrunnerMunzelResult {
  double w = 0;
  double df = 0;
  double p_two_sided = 1;
  double p_hat = 0.5;  // estimate of P(X < Y) + P(X = Y)/2
};
BrunnerMunzelResult brunner_munzel(std::span<const double> x, std::span<const double> y);

// Seeds per group for a t test to reach `power` at true difference `delta`
// with standard deviation `sd`: R's power.t.test (strict = FALSE), fractional.
struct PowerQuery {
  double delta = 1;
  double sd = 1;
  double alpha = 0.05;
  double power = 0.8;
  bool two_sample = true;
  bool two_sided = true;
};
double t_test_sample_size(const PowerQuery& query);
double t_test_power(const PowerQuery& query, double n);
// The smallest true difference (query.delta is ignored) that n seeds per group
// detect with query.power.
double t_test_detectable_difference(const PowerQuery& query, double n);

}  // namespace seedgate::checks
