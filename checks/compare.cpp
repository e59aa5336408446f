#include "checks/compare.hpp"

#include <algorithm>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

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

}  // namespace

WelchResult welch_test(std::span<const double> x, std::span<const double> y, double level) {
  Summary sx = summarize(x), sy = summarize(y);
  double nx = static_cast<double>(sx.count), ny = static_cast<double>(sy.count);
  double vx = sx.std * sx.std / nx, vy = sy.std * sy.std / ny;
  WelchResult r;
  r.difference = sx.mean - sy.mean;
  r.standard_error = std::sqrt(vx + vy);
  if (r.standard_error == 0) {
    // No spread on either side: the difference is known exactly.
    r.df = nx + ny - 2;
    r.t = r.difference == 0 ? 0 : std::copysign(std::numeric_limits<double>::infinity(), r.difference);
    r.p_two_sided = r.difference == 0 ? 1 : 0;
    r.interval = {r.difference, r.difference, level};
    return r;
  }
  r.df = (vx + vy) * (vx + vy) / (vx * vx / (nx - 1) + vy * vy / (ny - 1));
  r.t = r.difference / r.standard_error;
  r.p_two_sided = std::min(1.0, 2 * t_upper_tail(std::fabs(r.t), r.df));
  double half = student_t_quantile(r.df, 0.5 + level / 2) * r.standard_error;
  r.interval = {r.difference - half, r.difference + half, level};
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
  // Tie correction: sum over tie groups of (t^3 - t).
  std::vector<double> sorted = ranks;
  std::sort(sorted.begin(), sorted.end());
  double ties = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    double t = static_cast<double>(j - i);
    ties += t * t * t - t;
    i = j;
  }
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
  boost::math::non_central_t_distribution<double> t(df, ncp);
  return boost::math::cdf(boost::math::complement(t, critical));
}

double t_test_sample_size(const PowerQuery& q) {
  auto gap = [&](double n) { return t_test_power(q, n) - q.power; };
  double low = 2, high = 4;
  while (gap(high) < 0 && high < 1e9) high *= 2;
  if (gap(low) >= 0) return low;
  boost::math::tools::eps_tolerance<double> tolerance(40);
  std::uintmax_t iterations = 200;
  auto [a, b] = boost::math::tools::toms748_solve(gap, low, high, tolerance, iterations);
  return (a + b) / 2;
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

}  // namespace seedgate::checks
