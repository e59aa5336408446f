// kind = "threshold": a metric's mean and its worst seed against bounds; with
// confidence, the mean's t interval and bounds on a low quantile of the seeds'
// distribution (normal tolerance or order statistics).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "checks/group.hpp"
#include "checks/stats.hpp"
#include "checks/variants.hpp"

namespace seedgate::checks {
namespace {

// Confidence bounds for the lower `share` quantile of one run's
// distribution. Normal tolerance: from the seeds' mean and the std of one
// run (`spread`, which with repeats holds the run-to-run part as well), with
// the factor for n seeds. Rounding to a coarse step can hide a spread of up
// to `slack`: the pass side uses at least that much, the fail side that much
// less (as variance.cpp's std bounds do). Order statistics: from one value
// per seed, ascending, each rounded by up to `half_step`.
Interval quantile_bounds(std::span<const double> sorted, double mean, double spread, double share, double confidence,
                         Tolerance tolerance, double half_step, double slack) {
  double level = two_sided_level(confidence);
  std::size_t n = sorted.size();
  if (tolerance == Tolerance::normal) {
    double coverage = 1 - share;
    double k_low = normal_tolerance_factor(n, coverage, confidence);
    double k_high = normal_tolerance_factor(n, coverage, 1 - confidence);
    // Each bound is linear in the std: take the least favourable one.
    double low_spread = std::max(0.0, spread - slack), high_spread = std::max(spread, slack);
    return {mean - k_low * (k_low >= 0 ? high_spread : low_spread),
            mean - k_high * (k_high >= 0 ? low_spread : high_spread), level};
  }
  auto lower = lower_order_rank(n, share, confidence);
  auto upper = upper_order_rank(n, share, confidence);
  constexpr double inf = std::numeric_limits<double>::infinity();
  return {lower ? sorted[*lower - 1] - half_step : -inf, upper ? sorted[*upper - 1] + half_step : inf, level};
}

std::string quantile_name(double share) {
  return fmt::format("q{:g}", share * 100);
}

// "With confidence c, a share `coverage` of runs meets the worst bound":
// judged by bounds on the quantile that `coverage` of single runs lie beyond.
// With repeats, the spread is that of one run (seed and run-to-run parts),
// and the order statistics use each seed's first repeat, an independent
// draw of one run.
void judge_worst_with_confidence(const ThresholdSpec& spec, Group& group, const SeedValues& values) {
  const CheckSpec& check = group.spec();
  if (!group.enough_for_confidence(values.per_seed.size(), spec.worst->key)) return;
  bool maximize = check.goal == Goal::maximize;
  double share = 1 - spec.coverage;
  // For a metric to minimise, the quantile of interest is the upper one: judge the negated values.
  double sign = maximize ? 1 : -1;
  std::vector<double> sorted;
  for (const std::vector<double>& runs : values.by_seed) sorted.push_back(sign * runs.front());
  std::sort(sorted.begin(), sorted.end());
  double mean = sign * summarize(values.per_seed).mean;
  double spread = group.single_run_std(values).estimate;
  double half_step = group.resolution(values) / 2;
  double slack = rounding_std_slack(2 * half_step, values.per_seed.size());
  Interval bounds = quantile_bounds(sorted, mean, spread, share, *check.confidence, spec.tolerance, half_step, slack);
  double estimate =
      spec.tolerance == Tolerance::normal ? mean + normal_quantile(share) * spread : quantile_of_sorted(sorted, share);
  if (!maximize) {
    estimate = -estimate;
    bounds = {-bounds.upper, -bounds.lower, bounds.level};
  }
  std::string name = quantile_name(maximize ? share : 1 - share);
  std::string what =
      fmt::format("over seeds {}, {} bound for {:g}% of runs", describe_seeds(values.seeds),
                  spec.tolerance == Tolerance::normal ? "normal tolerance" : "order-statistic", spec.coverage * 100);
  group.judged(name, what, estimate, bounds, *spec.worst, maximize);
  // The share of seeds that met the bound, with its exact interval.
  std::size_t met = 0;
  for (double v : values.per_seed) met += within(*spec.worst, v, check.goal);
  group.information("share_meeting_" + spec.worst->key,
                    static_cast<double>(met) / static_cast<double>(values.per_seed.size()),
                    clopper_pearson(met, values.per_seed.size(), two_sided_level(*check.confidence)));
}

// A run that crashed or timed out counts as below every bound (unless the
// policy excludes lost seeds): true when the bound failed on them.
bool fail_on_lost(const ThresholdSpec& spec, Group& group, const char* name, const Bound& bound) {
  if (group.lost().empty() || spec.lost_seeds == LostSeeds::exclude) return false;
  const CheckSpec& check = group.spec();
  group.statistic(
      name,
      check.goal == Goal::maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity(),
      bound, false);
  group.fail(
      fmt::format("{}: {} lost, counted as {} {} {} (set lost_seeds = \"exclude\" to judge the seeds that "
                  "finished) ({})",
                  check.metric, fmt::join(group.describe_lost(), ", "), breach_word(check.goal), bound.key,
                  short_number(bound.value), group.label()));
  return true;
}

// With a folds axis: the Nadeau–Bengio corrected resampled t interval over
// the folds' estimates (each the mean over seeds and repeats), whose variance
// factor 1/J + n_test/n_train (1/(J-1) for J-fold cross-validation) allows
// for the overlap of the folds' training sets. nullopt without folds.
std::optional<Interval> cross_validated_interval(Group& group, double level) {
  std::map<int, std::pair<double, std::size_t>> by_fold;
  for (const Observation* o : group.runs()) {
    auto it = o->metrics.find(group.spec().metric);
    if (o->fold < 0 || it == o->metrics.end() || !std::isfinite(it->second)) continue;
    by_fold[o->fold].first += it->second;
    ++by_fold[o->fold].second;
  }
  if (by_fold.size() < 2) return std::nullopt;
  std::vector<double> estimates;
  estimates.reserve(by_fold.size());
  for (const auto& [fold, sum] : by_fold) estimates.push_back(sum.first / static_cast<double>(sum.second));
  const double folds = static_cast<double>(estimates.size());
  CorrectedResampledT t = corrected_resampled_t(estimates, 1 / (folds - 1), level);
  group.information("cv_std_error", t.standard_error, t.interval);
  group.note(
      fmt::format("{}: cross-validated over {} folds, Nadeau-Bengio corrected bounds [{}, {}] (variance "
                  "factor {:.4g}) ({})",
                  group.spec().metric, estimates.size(), short_number(t.interval.lower), short_number(t.interval.upper),
                  t.factor, group.label()));
  return t.interval;
}

}  // namespace

void judge_threshold(const ThresholdSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  SeedValues values = group.values();
  if (group.reject_bad_values(values)) return;
  bool mean_lost = spec.mean && fail_on_lost(spec, group, "mean", *spec.mean);
  bool worst_lost = spec.worst && fail_on_lost(spec, group, "worst", *spec.worst);
  if (values.per_seed.empty()) {
    if (!mean_lost && !worst_lost) group.error(fmt::format("{}: no run finished ({})", check.metric, group.label()));
    return;
  }
  Summary summary = summarize(values.per_seed);
  if (mean_lost) {
    // Judged above.
  } else if (spec.mean && check.confidence) {
    if (group.enough_for_confidence(values.per_seed.size(), spec.mean->key)) {
      double resolution = group.resolution(values);
      Interval interval = mean_interval(values.per_seed, two_sided_level(*check.confidence));
      // On a coarse step the mean moves on a lattice of step / n: a
      // continuity correction of half that keeps the t bound from passing
      // more often than it says. A spread finer than the step (every value
      // equal) gives an interval narrower than the rounding: it widens to
      // half a step either way.
      double correction = resolution / (2 * static_cast<double>(values.per_seed.size()));
      interval.lower = std::min(interval.lower - correction, summary.mean - resolution / 2);
      interval.upper = std::max(interval.upper + correction, summary.mean + resolution / 2);
      if (std::optional<Interval> folds = cross_validated_interval(group, interval.level)) {
        // The seeds share the folds' split: their spread leaves out how much
        // the estimate moves with the split. Judge the wider of the two.
        interval.lower = std::min(interval.lower, folds->lower);
        interval.upper = std::max(interval.upper, folds->upper);
      }
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
  if (worst_lost) {
    // Judged above.
  } else if (spec.worst && check.confidence) {
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
  if (double resolution = check.confidence ? group.resolution(values) : 0; resolution > 0)
    group.information("resolution", resolution);
}

}  // namespace seedgate::checks
