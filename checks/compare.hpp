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
// The paired test below returns the same fields (PairedResult derives from
// it), so the margin tests that take a WelchResult serve both designs.
struct WelchResult {
  double difference = 0;
  double standard_error = 0;
  double t = 0;
  double df = 0;
  double p_two_sided = 1;
  Interval interval;
};
WelchResult welch_test(std::span<const double> x, std::span<const double> y, double level);

// Paired t test over the same seeds on both sides (x[i] and y[i] both come
// from seed i): the one-sample t test of the differences x - y, as
// scipy.stats.ttest_rel, with df = n - 1 and standard error sd(x - y)/sqrt(n).
// `correlation` is Pearson's r between x and y, which is why pairing helps:
// var(x - y) = var(x) + var(y) - 2 r sd(x) sd(y). It is 0 when either side has
// no spread. Needs two pairs or more; throws std::invalid_argument when the
// lengths differ, since there is then no pairing to test.
struct PairedResult : WelchResult {
  double correlation = 0;
};
PairedResult paired_t_test(std::span<const double> x, std::span<const double> y, double level);

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

// Wilcoxon signed-rank test of the paired differences x - y (paired as in
// paired_t_test), as scipy.stats.wilcoxon 1.10 with its defaults: two-sided,
// zero_method="wilcox" (zero differences are dropped before ranking),
// correction=False. `statistic` is scipy's two-sided statistic, min(W+, W-);
// w_plus is the rank sum of the positive differences, above n(n+1)/4 when x
// tends to be larger. The p-value is exact (`exact` true) when there are at
// most 50 differences, none zero and no two with the same magnitude, as
// scipy's method="auto"; otherwise it is the normal approximation with the tie
// correction, as scipy's method="approx". (scipy 1.10's "auto" would also take
// the exact path for tied magnitudes, on a truncated statistic; the
// approximation is the sound choice there.) With every difference zero, p is 1
// (scipy raises); a NaN difference gives NaN. Throws std::invalid_argument
// when the lengths differ.
struct WilcoxonResult {
  double statistic = 0;
  double w_plus = 0;
  double p_two_sided = 1;
  bool exact = false;
};
WilcoxonResult wilcoxon_signed_rank(std::span<const double> x, std::span<const double> y);

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

// Power of equivalence testing (TOST) with n seeds per group: two one-sided
// tests, each at query.alpha, of H0: |difference| >= query.delta (the margin)
// when the true difference is 0; query.two_sided is not used. df and the
// standard error are t_test_power's. Exact: the probability that |estimate| <
// margin - t(1 - alpha, df) * se_hat, integrated over the chi-square
// distribution of the sample variance (what Owen's Q computes; PowerTOST's
// method="exact"). The shortcut 1 - 2 P(T' <= t), T' noncentral t, agrees
// near power 0.8 but reads 0 for small designs whose exact power is up to
// 0.4, so it is not used.
double tost_power(const PowerQuery& query, double n);
// Seeds per group for TOST to reach query.power, fractional as
// t_test_sample_size. Equivalence costs more seeds than non-inferiority at the
// same margin: with a margin of one sd, alpha 0.05 and power 0.8, TOST needs
// 17.85 seeds per group (18) where the one-sided test needs 13.10 (14).
double tost_sample_size(const PowerQuery& query);

}  // namespace seedgate::checks
