// kind = "threshold": a metric's mean and its worst seed against bounds; with
// confidence, the mean's t interval and bounds on a low quantile of the seeds'
// distribution (normal tolerance or order statistics).
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "checks/group.hpp"
#include "checks/stats.hpp"

namespace seedgate::checks {
namespace {

// Confidence bounds for the lower `share` quantile of the seeds' distribution,
// from their values in ascending order.
Interval quantile_bounds(std::span<const double> sorted, double share, double confidence, Tolerance tolerance) {
  double level = two_sided_level(confidence);
  std::size_t n = sorted.size();
  if (tolerance == Tolerance::normal) {
    Summary s = summarize(sorted);
    double coverage = 1 - share;
    return {s.mean - normal_tolerance_factor(n, coverage, confidence) * s.std,
            s.mean - normal_tolerance_factor(n, coverage, 1 - confidence) * s.std, level};
  }
  auto lower = lower_order_rank(n, share, confidence);
  auto upper = upper_order_rank(n, share, confidence);
  constexpr double inf = std::numeric_limits<double>::infinity();
  return {lower ? sorted[*lower - 1] : -inf, upper ? sorted[*upper - 1] : inf, level};
}

std::string quantile_name(double share) {
  return fmt::format("q{:g}", share * 100);
}

// "With confidence c, a share `coverage` of seeds meets the worst bound":
// judged by bounds on the quantile that `coverage` of seeds lie beyond.
void judge_worst_with_confidence(const ThresholdSpec& spec, Group& group, const SeedValues& values) {
  const CheckSpec& check = group.spec();
  if (!group.enough_for_confidence(values.per_seed.size(), spec.worst->key)) return;
  bool maximize = check.goal == Goal::maximize;
  double share = 1 - spec.coverage;
  // For a metric to minimise, the quantile of interest is the upper one: judge the negated values.
  std::vector<double> sorted = values.per_seed;
  if (!maximize)
    for (double& v : sorted) v = -v;
  std::sort(sorted.begin(), sorted.end());
  Interval bounds = quantile_bounds(sorted, share, *check.confidence, spec.tolerance);
  double estimate;
  if (spec.tolerance == Tolerance::normal) {
    Summary s = summarize(sorted);
    estimate = s.mean + normal_quantile(share) * s.std;
  } else {
    estimate = quantile_of_sorted(sorted, share);
  }
  if (!maximize) {
    estimate = -estimate;
    bounds = {-bounds.upper, -bounds.lower, bounds.level};
  }
  std::string name = quantile_name(maximize ? share : 1 - share);
  std::string what =
      fmt::format("over seeds {}, {} bound for {:g}% of seeds", describe_seeds(values.seeds),
                  spec.tolerance == Tolerance::normal ? "normal tolerance" : "order-statistic", spec.coverage * 100);
  group.judged(name, what, estimate, bounds, *spec.worst, maximize);
  // The share of seeds that met the bound, with its exact interval.
  std::size_t met = 0;
  for (double v : values.per_seed) met += within(*spec.worst, v, check.goal);
  group.information("share_meeting_" + spec.worst->key,
                    static_cast<double>(met) / static_cast<double>(values.per_seed.size()),
                    clopper_pearson(met, values.per_seed.size(), two_sided_level(*check.confidence)));
}

}  // namespace

void judge_threshold(const ThresholdSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  SeedValues values = group.values();
  if (group.reject_bad_values(values)) return;
  Summary summary = summarize(values.per_seed);
  if (spec.mean && check.confidence) {
    if (group.enough_for_confidence(values.per_seed.size(), spec.mean->key)) {
      Interval interval = mean_interval(values.per_seed, two_sided_level(*check.confidence));
      group.judged("mean", fmt::format("over seeds {}", describe_seeds(values.seeds)), summary.mean, interval,
                   *spec.mean, check.goal == Goal::maximize);
    }
  } else if (spec.mean) {
    bool ok = within(*spec.mean, summary.mean, check.goal);
    group.statistic("mean", summary.mean, spec.mean, ok);
    if (!ok) {
      group.fail(fmt::format("{}: mean {} over seeds {} is {} {} {} ({})", check.metric, short_number(summary.mean),
                             describe_seeds(values.seeds), breach_word(check.goal), spec.mean->key,
                             short_number(spec.mean->value), group.label()));
    }
  }
  if (spec.worst && check.confidence) {
    judge_worst_with_confidence(spec, group, values);
  } else if (spec.worst) {
    bool ok = within(*spec.worst, values.worst, check.goal);
    group.statistic("worst", values.worst, spec.worst, ok);
    if (!ok) {
      group.fail(fmt::format("{}: worst {} (seed {}, repeat {}) is {} {} {} ({})", check.metric,
                             short_number(values.worst), values.worst_seed, values.worst_repeat,
                             breach_word(check.goal), spec.worst->key, short_number(spec.worst->value), group.label()));
    }
  }
  if (check.confidence && values.per_seed.size() >= 2) group.information("iqm", interquartile_mean(values.per_seed));
}

}  // namespace seedgate::checks
