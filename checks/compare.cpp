#include "checks/compare.hpp"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "checks/intervals.hpp"
#include "checks/stats.hpp"

namespace seedgate::checks {
namespace {

// Upper tail of Student's t; an infinite statistic (zero spread) gives 0 or 1.
double t_upper_tail(double t, double df) {
  if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
  return boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(df), t));
}

// Mid-ranks (1-based) of the pooled sample x then y.
std::vector<double> pooled_ranks(std::span<const double> x, std::span<const double> y) {
  std::vector<double> pooled(x.begin(), x.end());
  pooled.insert(pooled.end(), y.begin(), y.end());
  std::vector<std::size_t> order(pooled.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pooled[a] < pooled[b]; });
  std::vector<double> ranks(pooled.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && pooled[order[j + 1]] == pooled[order[i]]) ++j;
    double mid = (static_cast<double>(i + j) + 2) / 2;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = mid;
    i = j + 1;
  }
  return ranks;
}

// Mid-ranks within one sample.
std::vector<double> own_ranks(std::span<const double> x) {
  return pooled_ranks(x, {});
}

// Sum over groups of equal values of (t^3 - t), t the group's size: the tie
// correction of the rank tests' variances.
double tie_sum(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (std::size_t i = 0; i < values.size();) {
    std::size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    double t = static_cast<double>(j - i);
    sum += t * t * t - t;
    i = j;
  }
  return sum;
}

// The t test's result for an estimate with its standard error and df. With
// no spread the difference is known exactly: t is infinite (or 0) and the
// interval a point.
WelchResult t_result(double difference, double standard_error, double df, double level) {
  WelchResult r;
  r.difference = difference;
  r.standard_error = standard_error;
  r.df = df;
  if (standard_error == 0) {
    r.t = difference == 0 ? 0 : std::copysign(std::numeric_limits<double>::infinity(), difference);
    r.p_two_sided = difference == 0 ? 1 : 0;
    r.interval = {difference, difference, level};
    return r;
  }
  r.t = difference / standard_error;
  r.p_two_sided = std::min(1.0, 2 * t_upper_tail(std::fabs(r.t), df));
  double half = student_t_quantile(df, 0.5 + level / 2) * standard_error;
  r.interval = {difference - half, difference + half, level};
  return r;
}

void require_pairs(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw std::invalid_argument("paired samples differ in length");
}

std::vector<double> differences(std::span<const double> x, std::span<const double> y) {
  std::vector<double> d(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) d[i] = x[i] - y[i];
  return d;
}

// Pearson's r; 0 when either side is constant (r is undefined there, and
// pairing then gains nothing).
double pearson(std::span<const double> x, std::span<const double> y) {
  double mx = summarize(x).mean, my = summarize(y).mean;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return 0;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

// P(W+ <= w) under H0 for n untied, nonzero differences: the counts of the
// 2^n sign patterns by rank sum, exact in 64 bits up to n = 50 (2^50 in all).
double signed_rank_cdf(std::size_t n, std::size_t w) {
  std::vector<std::uint64_t> counts(n * (n + 1) / 2 + 1, 0);
  counts[0] = 1;
  for (std::size_t rank = 1; rank <= n; ++rank)
    for (std::size_t sum = counts.size() - 1; sum >= rank; --sum) counts[sum] += counts[sum - rank];
  std::uint64_t below =
      std::accumulate(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(w + 1), std::uint64_t{0});
  return std::ldexp(static_cast<double>(below), -static_cast<int>(n));
}

// Two-sided normal approximation for the signed-rank statistic over `n`
// ranks with tie sum `ties`, no continuity correction (scipy's defaults).
double signed_rank_normal_p(double statistic, double n, double ties) {
  double mean = n * (n + 1) / 4;
  double sd = std::sqrt((n * (n + 1) * (2 * n + 1) - ties / 2) / 24);
  double z = (statistic - mean) / sd;
  return std::min(
      1.0, 2 * boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), std::fabs(z))));
}

// Smallest fractional n >= 2 at which `power` (increasing in n) reaches
// `target`; infinity when not even a billion do.
template <class Power>
double solve_sample_size(Power power, double target) {
  auto gap = [&](double n) { return power(n) - target; };
  double low = 2, high = 4;
  while (gap(high) < 0 && high < 1e9) high *= 2;
  if (gap(low) >= 0) return low;
  if (gap(high) < 0) return std::numeric_limits<double>::infinity();  // not within a billion
  boost::math::tools::eps_tolerance<double> tolerance(40);
  std::uintmax_t iterations = 200;
  auto [a, b] = boost::math::tools::toms748_solve(gap, low, high, tolerance, iterations);
  return (a + b) / 2;
}

}  // namespace

WelchResult welch_test(std::span<const double> x, std::span<const double> y, double level) {
  Summary sx = summarize(x), sy = summarize(y);
  double nx = static_cast<double>(sx.count), ny = static_cast<double>(sy.count);
  double vx = sx.std * sx.std / nx, vy = sy.std * sy.std / ny;
  double se = std::sqrt(vx + vy);
  // Without spread the Welch df is 0/0; the pooled df stands in.
  double df = se == 0 ? nx + ny - 2 : (vx + vy) * (vx + vy) / (vx * vx / (nx - 1) + vy * vy / (ny - 1));
  return t_result(sx.mean - sy.mean, se, df, level);
}

PairedResult paired_t_test(std::span<const double> x, std::span<const double> y, double level) {
  require_pairs(x, y);
  std::vector<double> d = differences(x, y);
  Summary sd = summarize(d);
  double n = static_cast<double>(d.size());
  PairedResult r{t_result(sd.mean, sd.std / std::sqrt(n), n - 1, level)};
  r.correlation = pearson(x, y);
  return r;
}

double non_inferiority_p(const WelchResult& welch, double margin) {
  double shifted = welch.difference + margin;
  if (welch.standard_error == 0) return shifted > 0 ? 0.0 : 1.0;
  return t_upper_tail(shifted / welch.standard_error, welch.df);
}

double equivalence_p(const WelchResult& welch, double margin) {
  double lower = non_inferiority_p(welch, margin);
  // Upper side: H0 difference >= margin.
  double upper;
  if (welch.standard_error == 0)
    upper = welch.difference < margin ? 0.0 : 1.0;
  else
    upper = t_upper_tail((margin - welch.difference) / welch.standard_error, welch.df);
  return std::max(lower, upper);
}

MannWhitneyResult mann_whitney(std::span<const double> x, std::span<const double> y) {
  double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size());
  std::vector<double> ranks = pooled_ranks(x, y);
  double rank_sum_x = std::accumulate(ranks.begin(), ranks.begin() + static_cast<std::ptrdiff_t>(x.size()), 0.0);
  MannWhitneyResult r;
  r.u = rank_sum_x - nx * (nx + 1) / 2;
  r.prob_greater = r.u / (nx * ny);
  double ties = tie_sum(ranks);
  double n = nx + ny;
  double mu = nx * ny / 2;
  double sigma = std::sqrt(nx * ny / 12 * ((n + 1) - ties / (n * (n - 1))));
  if (sigma == 0) return r;
  double u_big = std::max(r.u, nx * ny - r.u);
  double z = (u_big - mu - 0.5) / sigma;
  boost::math::normal_distribution<double> normal;
  r.p_two_sided = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(normal, z)));
  return r;
}

WilcoxonResult wilcoxon_signed_rank(std::span<const double> x, std::span<const double> y) {
  require_pairs(x, y);
  std::vector<double> all = differences(x, y);
  WilcoxonResult r;
  if (std::any_of(all.begin(), all.end(), [](double v) { return std::isnan(v); })) {
    r.statistic = r.w_plus = r.p_two_sided = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  std::vector<double> d, magnitudes;
  for (double v : all)
    if (v != 0) {
      d.push_back(v);
      magnitudes.push_back(std::fabs(v));
    }
  if (d.empty()) return r;
  std::vector<double> ranks = own_ranks(magnitudes);
  double w_minus = 0;
  for (std::size_t i = 0; i < d.size(); ++i) (d[i] > 0 ? r.w_plus : w_minus) += ranks[i];
  r.statistic = std::min(r.w_plus, w_minus);
  double ties = tie_sum(magnitudes);
  // scipy decides on the count before dropping zeros; any zero forces the approximation.
  r.exact = all.size() <= 50 && d.size() == all.size() && ties == 0;
  // By symmetry of W+ about n(n+1)/4, doubling the lower tail at min(W+, W-) gives scipy's two-sided p.
  r.p_two_sided = r.exact ? std::min(1.0, 2 * signed_rank_cdf(d.size(), static_cast<std::size_t>(r.statistic)))
                          : signed_rank_normal_p(r.statistic, static_cast<double>(d.size()), ties);
  return r;
}

BrunnerMunzelResult brunner_munzel(std::span<const double> x, std::span<const double> y) {
  double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size());
  std::vector<double> pooled = pooled_ranks(x, y);
  std::vector<double> rx = own_ranks(x), ry = own_ranks(y);
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mean_x += pooled[i];
  for (std::size_t i = 0; i < y.size(); ++i) mean_y += pooled[x.size() + i];
  mean_x /= nx;
  mean_y /= ny;
  double sx = 0, sy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double d = pooled[i] - rx[i] - mean_x + (nx + 1) / 2;
    sx += d * d;
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    double d = pooled[x.size() + i] - ry[i] - mean_y + (ny + 1) / 2;
    sy += d * d;
  }
  sx /= nx - 1;
  sy /= ny - 1;
  BrunnerMunzelResult r;
  r.p_hat = (mean_y - mean_x) / (nx + ny) + 0.5;
  double denominator = (nx + ny) * std::sqrt(nx * sx + ny * sy);
  if (denominator == 0) {
    // Complete separation or no spread: the statistic is infinite (or 0/0).
    r.w = mean_y == mean_x ? 0 : std::copysign(std::numeric_limits<double>::infinity(), mean_y - mean_x);
    r.df = nx + ny - 2;
    r.p_two_sided = mean_y == mean_x ? 1 : 0;
    return r;
  }
  r.w = nx * ny * (mean_y - mean_x) / denominator;
  double a = nx * sx, b = ny * sy;
  r.df = (a + b) * (a + b) / (a * a / (nx - 1) + b * b / (ny - 1));
  r.p_two_sided = std::min(1.0, 2 * t_upper_tail(std::fabs(r.w), r.df));
  return r;
}

double t_test_power(const PowerQuery& q, double n) {
  double groups = q.two_sample ? 2 : 1;
  double df = groups * (n - 1);
  double ncp = std::sqrt(n / groups) * q.delta / q.sd;
  double critical = student_t_quantile(df, 1 - (q.two_sided ? q.alpha / 2 : q.alpha));
  // Boost's series throws past a noncentrality near 65,000 (a margin tiny
  // against the spread, at the sample sizes the search then tries).
  if (critical >= 0 && ncp >= 0) return std::clamp(1 - noncentral_t_cdf(critical, df, ncp), 0.0, 1.0);
  boost::math::non_central_t_distribution<double> t(df, ncp);
  return boost::math::cdf(boost::math::complement(t, critical));
}

double t_test_sample_size(const PowerQuery& q) {
  return solve_sample_size([&](double n) { return t_test_power(q, n); }, q.power);
}

double t_test_detectable_difference(const PowerQuery& q, double n) {
  auto gap = [&](double delta) {
    PowerQuery at = q;
    at.delta = delta;
    return t_test_power(at, n) - q.power;
  };
  double low = 0, high = q.sd;
  while (gap(high) < 0 && high < q.sd * 1e6) high *= 2;
  boost::math::tools::eps_tolerance<double> tolerance(40);
  std::uintmax_t iterations = 200;
  auto [a, b] = boost::math::tools::toms748_solve(gap, low, high, tolerance, iterations);
  return (a + b) / 2;
}

double tost_power(const PowerQuery& q, double n) {
  double groups = q.two_sample ? 2 : 1;
  double df = groups * (n - 1);
  double se_factor = std::sqrt(groups / n);  // sd of the estimate, in units of sd
  double margin = q.delta / q.sd;
  double critical = student_t_quantile(df, 1 - q.alpha);
  // Both tests reject when |estimate| < margin - critical * se_hat; se_hat
  // scales with sqrt(v / df), v chi-square with df, so beyond v_max never.
  double v_max = df * std::pow(margin / (critical * se_factor), 2);
  boost::math::chi_squared_distribution<double> chi_squared(df);
  boost::math::normal_distribution<double> normal;
  auto accept = [&](double v) {
    double half_width = margin - critical * se_factor * std::sqrt(v / df);
    if (half_width <= 0) return 0.0;
    return (2 * boost::math::cdf(normal, half_width / se_factor) - 1) * boost::math::pdf(chi_squared, v);
  };
  // tanh-sinh copes with the pdf's singularity at 0 when df = 1. At large df
  // the chi-square's mass lies within a few sqrt(2 df) of df, a sliver of
  // [0, v_max] that the quadrature's nodes miss (power read 0 from n ~ 10^5):
  // integrate over 12 sd either side of the mean, where all but ~1e-30 of it is.
  double spread = 12 * std::sqrt(2 * df);
  double low = std::max(0.0, df - spread), high = std::min(v_max, df + spread);
  if (high <= low) return 0.0;
  boost::math::quadrature::tanh_sinh<double> integrator;
  return std::clamp(integrator.integrate(accept, low, high), 0.0, 1.0);
}

double tost_sample_size(const PowerQuery& q) {
  return solve_sample_size([&](double n) { return tost_power(q, n); }, q.power);
}

}  // namespace seedgate::checks
