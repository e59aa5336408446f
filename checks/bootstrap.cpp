#include "checks/bootstrap.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>
#include <vector>

namespace seedgate::checks {
namespace {

double std_from_sums(double sum, double sum_sq, double n) {
  double var = (sum_sq - sum * sum / n) / (n - 1);
  return std::sqrt(std::max(0.0, var));
}

bool moment_statistic(BootStatistic statistic) {
  return statistic == BootStatistic::mean || statistic == BootStatistic::std || statistic == BootStatistic::cv;
}

// Mean, std and cv from the sums of a sample centred on `shift` (centring keeps
// the sum of squares exact for values that sit close together).
double from_sums(BootStatistic statistic, double sum, double sum_sq, double n, double shift) {
  double mean = sum / n + shift;
  switch (statistic) {
    case BootStatistic::mean:
      return mean;
    case BootStatistic::std:
      return std_from_sums(sum, sum_sq, n);
    default: {
      double sd = std_from_sums(sum, sum_sq, n);
      if (mean == 0) return sd == 0 ? 0 : INFINITY;
      return sd / std::fabs(mean);
    }
  }
}

// Trimmed mean of a sorted sample with one value (at `skip`) left out, from prefix sums.
double iqm_leaving_out(const std::vector<double>& sorted, const std::vector<double>& prefix, std::size_t skip) {
  std::size_t m = sorted.size() - 1;
  std::size_t cut = m / 4;
  // Positions [cut, m - cut) of the reduced sample map to the full sample,
  // shifted by one at and after `skip`.
  auto full_sum = [&](std::size_t from, std::size_t to) { return prefix[to] - prefix[from]; };
  std::size_t lo = cut < skip ? cut : cut + 1;
  std::size_t hi = (m - cut) <= skip ? (m - cut) : (m - cut) + 1;
  double sum = full_sum(lo, hi);
  if (lo <= skip && skip < hi) sum -= sorted[skip];
  return sum / static_cast<double>(m - 2 * cut);
}

double median_leaving_out(const std::vector<double>& sorted, std::size_t skip) {
  std::size_t m = sorted.size() - 1;
  auto at = [&](std::size_t i) { return sorted[i < skip ? i : i + 1]; };
  return m % 2 ? at(m / 2) : (at(m / 2 - 1) + at(m / 2)) / 2;
}

std::vector<double> jackknife(std::span<const double> values, BootStatistic statistic, double shift) {
  std::size_t n = values.size();
  std::vector<double> out(n);
  if (moment_statistic(statistic)) {
    double sum = 0, sum_sq = 0;
    for (double v : values) {
      sum += v - shift;
      sum_sq += (v - shift) * (v - shift);
    }
    for (std::size_t i = 0; i < n; ++i) {
      double c = values[i] - shift;
      out[i] = from_sums(statistic, sum - c, sum_sq - c * c, static_cast<double>(n - 1), shift);
    }
    return out;
  }
  // Median and IQM depend on ranks: leaving out the i-th value is leaving out
  // its position in the sorted sample.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> sorted(n), prefix(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    sorted[i] = values[order[i]];
    prefix[i + 1] = prefix[i] + sorted[i];
  }
  for (std::size_t pos = 0; pos < n; ++pos) {
    out[order[pos]] =
        statistic == BootStatistic::median ? median_leaving_out(sorted, pos) : iqm_leaving_out(sorted, prefix, pos);
  }
  return out;
}

}  // namespace

const char* to_string(BootStatistic statistic) {
  switch (statistic) {
    case BootStatistic::mean:
      return "mean";
    case BootStatistic::std:
      return "std";
    case BootStatistic::cv:
      return "cv";
    case BootStatistic::median:
      return "median";
    case BootStatistic::iqm:
      return "iqm";
  }
  return "?";
}

double bootstrap_statistic(BootStatistic statistic, std::span<const double> values) {
  auto n = static_cast<double>(values.size());
  if (moment_statistic(statistic)) {
    double shift = values.empty() ? 0 : values.front();
    double sum = 0, sum_sq = 0;
    for (double v : values) {
      sum += v - shift;
      sum_sq += (v - shift) * (v - shift);
    }
    return from_sums(statistic, sum, sum_sq, n, shift);
  }
  if (statistic == BootStatistic::iqm) return interquartile_mean(values);
  // Median by selection, not a full sort: resamples call this 10,000 times.
  std::vector<double> v(values.begin(), values.end());
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (v.size() % 2) return *mid;
  return (*std::max_element(v.begin(), mid) + *mid) / 2;
}

BootstrapResult bootstrap(std::span<const double> values, BootStatistic statistic, double level,
                          const BootstrapOptions& options) {
  BootstrapResult result;
  const std::size_t n = values.size();
  const double shift = values.front();
  result.estimate = bootstrap_statistic(statistic, values);
  result.percentile = result.bca = {result.estimate, result.estimate, level};
  if (std::all_of(values.begin(), values.end(), [&](double v) { return v == shift; })) return result;

  Xoshiro256 rng(options.seed);
  const auto bound = static_cast<std::uint32_t>(n);
  std::vector<double> replicates(options.resamples);
  std::vector<double> sample(moment_statistic(statistic) ? 0 : n);
  for (double& replicate : replicates) {
    if (moment_statistic(statistic)) {
      double sum = 0, sum_sq = 0;
      for (std::size_t i = 0; i < n; ++i) {
        double c = values[rng.below(bound)] - shift;
        sum += c;
        sum_sq += c * c;
      }
      replicate = from_sums(statistic, sum, sum_sq, static_cast<double>(n), shift);
    } else {
      for (double& v : sample) v = values[rng.below(bound)];
      replicate = bootstrap_statistic(statistic, sample);
    }
  }
  std::sort(replicates.begin(), replicates.end());
  double tail = (1 - level) / 2;
  result.percentile = {quantile_of_sorted(replicates, tail), quantile_of_sorted(replicates, 1 - tail), level};

  // Bias correction from the share of replicates below the estimate (ties
  // count half, so a discrete statistic does not push z0 to infinity).
  auto [first_equal, past_equal] = std::equal_range(replicates.begin(), replicates.end(), result.estimate);
  double below = static_cast<double>(first_equal - replicates.begin());
  double equal = static_cast<double>(past_equal - first_equal);
  double share = (below + equal / 2) / static_cast<double>(replicates.size());
  const double edge = 0.5 / static_cast<double>(replicates.size());
  share = std::clamp(share, edge, 1 - edge);
  boost::math::normal_distribution<double> normal;
  double z0 = boost::math::quantile(normal, share);

  std::vector<double> jack = jackknife(values, statistic, shift);
  double jack_mean = std::accumulate(jack.begin(), jack.end(), 0.0) / static_cast<double>(n);
  double num = 0, den = 0;
  for (double j : jack) {
    double d = jack_mean - j;
    num += d * d * d;
    den += d * d;
  }
  double a = den > 0 ? num / (6 * std::pow(den, 1.5)) : 0.0;
  result.bias_correction = z0;
  result.acceleration = a;

  auto adjusted = [&](double q) {
    double z = boost::math::quantile(normal, q);
    return boost::math::cdf(normal, z0 + (z0 + z) / (1 - a * (z0 + z)));
  };
  result.bca = {quantile_of_sorted(replicates, adjusted(tail)), quantile_of_sorted(replicates, adjusted(1 - tail)),
                level};
  return result;
}

}  // namespace seedgate::checks
