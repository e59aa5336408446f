#include "checks/intervals.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/tools/roots.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

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

double fisher_f_quantile(double df1, double df2, double p) {
  return boost::math::quantile(boost::math::fisher_f_distribution<double>(df1, df2), p);
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

namespace {

// One-way analysis of variance over seeds. n0 is the effective number of
// repeats per seed, (N - sum n_i^2 / N) / (k - 1): r when every seed has r.
struct MeanSquares {
  double between = 0;
  double within = 0;  // 0 when no seed has a repeat (then df_within is 0)
  double df_between = 0;
  double df_within = 0;
  double n0 = 0;
};

// Needs two non-empty groups; empty ones are skipped.
MeanSquares mean_squares(const std::vector<std::vector<double>>& groups) {
  double grand = 0, n_total = 0, sum_sq_sizes = 0, k = 0;
  for (const auto& g : groups) {
    if (g.empty()) continue;
    ++k;
    for (double v : g) grand += v;
    n_total += static_cast<double>(g.size());
    sum_sq_sizes += static_cast<double>(g.size() * g.size());
  }
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
  MeanSquares ms;
  ms.df_between = k - 1;
  ms.df_within = n_total - k;
  ms.between = ss_between / ms.df_between;
  ms.within = ms.df_within > 0 ? ss_within / ms.df_within : 0.0;
  ms.n0 = (n_total - sum_sq_sizes / n_total) / (k - 1);
  return ms;
}

}  // namespace

std::optional<VarianceComponents> variance_components(const std::vector<std::vector<double>>& groups) {
  VarianceComponents out;
  bool repeated = false;
  for (const auto& g : groups) {
    if (g.empty()) continue;
    ++out.seeds;
    out.runs += g.size();
    repeated |= g.size() > 1;
  }
  if (out.seeds < 2 || !repeated) return std::nullopt;
  MeanSquares ms = mean_squares(groups);
  out.within_seed = ms.within;
  out.between_seeds = std::max(0.0, (ms.between - ms.within) / ms.n0);
  return out;
}

double seed_share(const VarianceComponents& components) {
  double total = components.between_seeds + components.within_seed;
  return total == 0 ? 0.0 : components.between_seeds / total;
}

// F = MSB / MSW is (1 + n0 rho / (1 - rho)) times an F(k-1, N-k) variable, so
// bounds on that factor from F's quantiles map to rho = (F' - 1) / (F' + n0 - 1).
Interval seed_share_interval(const std::vector<std::vector<double>>& groups, double level) {
  MeanSquares ms = mean_squares(groups);
  // Repeats that never differ leave no run-to-run part: all of the variance
  // is the seed's if there is any. Without repeats, or without any variation,
  // no share can be told.
  if (ms.within == 0) return ms.between > 0 && ms.df_within > 0 ? Interval{1, 1, level} : Interval{0, 1, level};
  double confidence = (1 + level) / 2;
  double f = ms.between / ms.within;
  double f_lower = f / fisher_f_quantile(ms.df_between, ms.df_within, confidence);
  double f_upper = f * fisher_f_quantile(ms.df_within, ms.df_between, confidence);
  auto share = [&](double ratio) { return std::clamp((ratio - 1) / (ratio + ms.n0 - 1), 0.0, 1.0); };
  return {share(f_lower), share(f_upper), level};
}

namespace {

// MLS scales each mean square's term by how far that mean square's own
// chi-square bound sits from it, as a fraction. A term that is 0 (a design
// without repeats has no within-seed term) adds nothing, whatever its df.
double mls_upper_term(double part, double df, double tail) {
  return part == 0 ? 0.0 : part * (df / chi_squared_quantile(df, tail) - 1);
}

double mls_lower_term(double part, double df, double tail) {
  return part == 0 ? 0.0 : part * (1 - df / chi_squared_quantile(df, 1 - tail));
}

// Satterthwaite: the chi-square df whose variance matches that of
// b + w, where b and w are the scaled mean squares. 0 when nothing varies.
double satterthwaite_df(double b, double df_b, double w, double df_w) {
  double spread = b * b / df_b + (w == 0 ? 0.0 : w * w / df_w);
  return spread == 0 ? 0.0 : (b + w) * (b + w) / spread;
}

}  // namespace

// theta = sigma_b^2 + sigma_w^2 = MSB / n0 + (1 - 1/n0) MSW, a positive
// combination c1 MSB + c2 MSW, which is what the MLS bounds are built for.
SingleRunStd single_run_std_interval(const std::vector<std::vector<double>>& groups, double level) {
  MeanSquares ms = mean_squares(groups);
  double b = ms.between / ms.n0, w = (1 - 1 / ms.n0) * ms.within;
  double theta = b + w;
  double tail = (1 - level) / 2;
  double upper = theta + std::hypot(mls_upper_term(b, ms.df_between, tail), mls_upper_term(w, ms.df_within, tail));
  double lower = theta - std::hypot(mls_lower_term(b, ms.df_between, tail), mls_lower_term(w, ms.df_within, tail));
  SingleRunStd out;
  // Truncating sigma_b^2 at 0, as variance_components does, keeps the
  // estimate at or above the run-to-run variance alone.
  out.estimate = std::sqrt(std::max(theta, ms.within));
  // The truncation can lift the estimate past an upper bound built on the
  // untruncated theta (seed means closer than repeats, many repeats); the
  // bound is raised to it, which only adds coverage.
  out.interval = {std::sqrt(std::max(lower, 0.0)), std::max(std::sqrt(upper), out.estimate), level};
  out.df = satterthwaite_df(b, ms.df_between, w, ms.df_within);
  return out;
}

// P(T <= t) for t, delta >= 0, T = (Z + delta) / sqrt(V / df) with Z standard
// normal and V chi-square on df: given Z = z > -delta, T <= t exactly when
// V >= df (z + delta)^2 / t^2, so one integral over z gives the noncentral t
// cdf. Boost's series for it fails once delta passes about 65000 (cv near
// 1e-5, which very stable metrics reach); this form holds for any delta and
// agrees with it to 1e-15 where both work.
double noncentral_t_cdf(double t, double df, double delta) {
  constexpr double kNormalReach = 10;  // the normal density beyond is below 1e-22
  boost::math::normal_distribution<double> z;
  if (t == 0) return boost::math::cdf(z, -delta);
  boost::math::chi_squared_distribution<double> v(df);
  auto reached = [&](double x) {
    double bound = df * (x + delta) * (x + delta) / (t * t);
    return boost::math::pdf(z, x) * boost::math::cdf(boost::math::complement(v, bound));
  };
  double from = std::max(-delta, -kNormalReach);
  return boost::math::cdf(z, -delta) +
         boost::math::quadrature::gauss_kronrod<double, 61>::integrate(reached, from, kNormalReach, 15, 1e-13);
}

namespace {

// The noncentrality delta at which the noncentral t with df degrees of freedom
// has cdf p at t. The cdf falls as delta grows, so a positive root exists only
// when delta = 0 leaves more than p below t; 0 otherwise.
double noncentrality_for(double t, double df, double p) {
  auto excess = [&](double delta) { return noncentral_t_cdf(t, df, delta) - p; };
  if (excess(0) <= 0) return 0;
  double high = std::max(t, 1.0);
  while (excess(high) > 0) high *= 2;
  std::uintmax_t iterations = 200;
  auto [a, b] =
      boost::math::tools::toms748_solve(excess, 0.0, high, boost::math::tools::eps_tolerance<double>(), iterations);
  return (a + b) / 2;
}

}  // namespace

// sqrt(n) |mean| / s is noncentral t on n-1 df with noncentrality
// sqrt(n) |mu| / sigma = sqrt(n) / cv, so bounds on the noncentrality invert
// to bounds on the cv: the smallest plausible delta gives the largest cv.
Interval cv_interval(std::span<const double> values, double level) {
  Summary s = summarize(values);
  if (std::isnan(s.std)) return {s.std, s.std, level};
  if (s.std == 0) return {0, 0, level};
  double n = static_cast<double>(s.count), root_n = std::sqrt(n);
  double t = root_n * std::fabs(s.mean) / s.std;
  double confidence = (1 + level) / 2;
  double delta_high = noncentrality_for(t, n - 1, 1 - confidence);
  double delta_low = noncentrality_for(t, n - 1, confidence);
  // No positive noncentrality is ruled out: the mean may be 0, cv unbounded.
  double upper = delta_low > 0 ? root_n / delta_low : std::numeric_limits<double>::infinity();
  return {root_n / delta_high, upper, level};
}

namespace {

constexpr int kMaxResolutionPlaces = 9;

// Decimal places of the shortest representation that reads back as v:
// "9.25e-01" has 2 decimals in the mantissa and exponent -1, so 3 places.
int decimal_places(double v) {
  char buffer[32];
  char* end = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific).ptr;
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  std::size_t e = text.find('e');
  std::size_t point = text.find('.');
  int mantissa = point < e ? static_cast<int>(e - point - 1) : 0;
  int exponent = 0;
  std::from_chars(text.data() + e + 2, end, exponent);  // after "e+" or "e-"
  if (text[e + 1] == '-') exponent = -exponent;
  return std::max(0, mantissa - exponent);
}

}  // namespace

double inferred_resolution(std::span<const double> values) {
  if (values.empty()) return 0;
  int places = 0;
  for (double v : values) {
    if (!std::isfinite(v)) return 0;
    places = std::max(places, decimal_places(v));
  }
  // 10^places is exact in a double, so this is the double nearest 10^-places.
  return places > kMaxResolutionPlaces ? 0.0 : 1 / std::pow(10.0, places);
}

// Rounding adds an error e_i in [-h, h] to each value, h = resolution / 2. The
// sample std is the Euclidean norm of the centred values over sqrt(n - 1), so
// by the triangle inequality |s(x + e) - s(x)| <= s(e) for every sample x.
// s(e)^2 is convex in e, so its maximum over the box [-h, h]^n sits at a
// corner: j errors at +h and n - j at -h have centred sum of squares
// 4 h^2 j (n - j) / n, largest at j = floor(n / 2). For even n that is
// h sqrt(n / (n - 1)); for odd n, h sqrt((n + 1) / n).
double rounding_std_slack(double resolution, std::size_t n) {
  if (n < 2) return 0;
  double h = resolution / 2, count = static_cast<double>(n);
  double j = std::floor(count / 2);
  return h * std::sqrt(4 * j * (count - j) / count / (count - 1));
}

}  // namespace seedgate::checks
