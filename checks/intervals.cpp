#include "checks/intervals.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "checks/stats.hpp"

namespace seedgate::checks {

double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

double student_t_quantile(double df, double p) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

double chi_squared_quantile(double df, double p) {
  return boost::math::quantile(boost::math::chi_squared_distribution<double>(df), p);
}

double quantile_of_sorted(std::span<const double> sorted, double q) {
  double position = q * static_cast<double>(sorted.size() - 1);
  auto below = static_cast<std::size_t>(std::floor(position));
  std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

Interval mean_interval(std::span<const double> values, double level) {
  Summary s = summarize(values);
  double n = static_cast<double>(s.count);
  double half = student_t_quantile(n - 1, 0.5 + level / 2) * s.std / std::sqrt(n);
  return {s.mean - half, s.mean + half, level};
}

Interval std_interval(double sample_std, std::size_t n, double level) {
  double df = static_cast<double>(n - 1);
  double tail = (1 - level) / 2;
  return {sample_std * std::sqrt(df / chi_squared_quantile(df, 1 - tail)),
          sample_std * std::sqrt(df / chi_squared_quantile(df, tail)), level};
}

double interquartile_mean(std::span<const double> values) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  std::size_t cut = sorted.size() / 4;
  double sum = 0;
  for (std::size_t i = cut; i < sorted.size() - cut; ++i) sum += sorted[i];
  return sum / static_cast<double>(sorted.size() - 2 * cut);
}

Interval clopper_pearson(std::size_t successes, std::size_t trials, double level) {
  double tail = (1 - level) / 2;
  double k = static_cast<double>(successes), n = static_cast<double>(trials);
  double lower =
      successes == 0 ? 0.0 : boost::math::quantile(boost::math::beta_distribution<double>(k, n - k + 1), tail);
  double upper =
      successes == trials ? 1.0 : boost::math::quantile(boost::math::beta_distribution<double>(k + 1, n - k), 1 - tail);
  return {lower, upper, level};
}

double normal_tolerance_factor(std::size_t n, double coverage, double confidence) {
  double root_n = std::sqrt(static_cast<double>(n));
  boost::math::non_central_t_distribution<double> t(static_cast<double>(n - 1), normal_quantile(coverage) * root_n);
  return boost::math::quantile(t, confidence) / root_n;
}

// P(X_(r) <= q_p) is the chance that at least r of n values fall at or below
// q_p: the upper tail of Binomial(n, p) from r.
std::optional<std::size_t> lower_order_rank(std::size_t n, double p, double confidence) {
  boost::math::binomial_distribution<double> count(static_cast<double>(n), p);
  std::optional<std::size_t> rank;
  for (std::size_t r = 1; r <= n; ++r) {
    double chance = boost::math::cdf(boost::math::complement(count, static_cast<double>(r - 1)));
    if (chance < confidence) break;
    rank = r;
  }
  return rank;
}

// P(X_(s) >= q_p) is the chance that at most s-1 values fall below q_p.
std::optional<std::size_t> upper_order_rank(std::size_t n, double p, double confidence) {
  boost::math::binomial_distribution<double> count(static_cast<double>(n), p);
  for (std::size_t s = 1; s <= n; ++s) {
    if (boost::math::cdf(count, static_cast<double>(s - 1)) >= confidence) return s;
  }
  return std::nullopt;
}

std::optional<VarianceComponents> variance_components(const std::vector<std::vector<double>>& groups) {
  VarianceComponents out;
  double grand = 0, n_total = 0, sum_sq_sizes = 0;
  bool repeated = false;
  for (const auto& g : groups) {
    if (g.empty()) continue;
    ++out.seeds;
    out.runs += g.size();
    repeated |= g.size() > 1;
    for (double v : g) grand += v;
    n_total += static_cast<double>(g.size());
    sum_sq_sizes += static_cast<double>(g.size() * g.size());
  }
  if (out.seeds < 2 || !repeated) return std::nullopt;
  grand /= n_total;
  double ss_between = 0, ss_within = 0;
  for (const auto& g : groups) {
    if (g.empty()) continue;
    double mean = 0;
    for (double v : g) mean += v;
    mean /= static_cast<double>(g.size());
    ss_between += static_cast<double>(g.size()) * (mean - grand) * (mean - grand);
    for (double v : g) ss_within += (v - mean) * (v - mean);
  }
  double k = static_cast<double>(out.seeds);
  double ms_between = ss_between / (k - 1);
  double ms_within = ss_within / (n_total - k);
  double n0 = (n_total - sum_sq_sizes / n_total) / (k - 1);
  out.within_seed = ms_within;
  out.between_seeds = std::max(0.0, (ms_between - ms_within) / n0);
  return out;
}

}  // namespace seedgate::checks
