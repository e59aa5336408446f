// kind = "variance": the spread of a metric across seeds (std, range, cv).
// With repeats, std and cv are those of one run: the seed-to-seed and the
// run-to-run parts together, since a single production run has both. With
// confidence, each is judged by an interval: chi-square (or, with repeats,
// modified large-sample) for the std; the noncentral t for the cv, or the
// bootstrap BCa from 10 seeds on where `tolerance = "nonparametric"`. A
// metric rounded to a coarse step hides part of its spread: intervals widen
// by what the rounding can hide.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "checks/group.hpp"
#include "checks/stats.hpp"

namespace seedgate::checks {
namespace {

// The bootstrap covers poorly below this many seeds.
constexpr std::size_t kBootstrapSeeds = 10;

// Allows for rounding to a coarse step, which can hide a sample std of up to
// `slack`. Above that, rounding adds spread on average (Sheppard), so the
// upper bound stands; below it (every value equal, or a spread finer than
// the step) the upper bound is the one at `slack`: the spread rounding may be
// hiding. The lower bound drops by `slack` either way, so that rounding
// alone never makes a check fail.
Interval widen_std(const Interval& interval, double estimate, double slack, std::size_t n) {
  if (slack <= 0) return interval;
  double lower = estimate > 0 ? interval.lower * std::max(0.0, estimate - slack) / estimate : 0;
  if (estimate >= slack) return {lower, interval.upper, interval.level};
  double upper = estimate > 0 ? interval.upper * slack / estimate : std_interval(slack, n, interval.level).upper;
  return {lower, upper, interval.level};
}

// The cv's interval without repeats: normal theory (noncentral t) or, from
// 10 seeds on and when asked for, the bootstrap.
Interval cv_bounds(const VarianceSpec& spec, Group& group, const SeedValues& values, std::string& method) {
  const CheckSpec& check = group.spec();
  double level = two_sided_level(*check.confidence);
  if (spec.tolerance == Tolerance::nonparametric && values.per_seed.size() >= kBootstrapSeeds) {
    method = "bootstrap BCa";
    return bootstrap(values.per_seed, BootStatistic::cv, level, check.bootstrap).bca;
  }
  method = "noncentral t";
  if (spec.tolerance == Tolerance::nonparametric)
    group.note(fmt::format("cv bounded by the noncentral t: the bootstrap needs {} seeds, got {} ({})", kBootstrapSeeds,
                           values.per_seed.size(), group.label()));
  return cv_interval(values.per_seed, level);
}

}  // namespace

void judge_variance(const VarianceSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  SeedValues values = group.values();
  if (group.reject_bad_values(values)) return;
  std::size_t n = values.per_seed.size();
  if (n < 2) {
    group.error(fmt::format("{}: variance needs at least 2 seeds, got {} ({})", check.metric, n, group.label()));
    return;
  }
  Summary summary = summarize(values.per_seed);
  bool repeats = std::any_of(values.by_seed.begin(), values.by_seed.end(), [](const auto& r) { return r.size() > 1; });
  SingleRunStd one_run = group.single_run_std(values);
  double resolution = group.resolution(values);
  double slack = rounding_std_slack(resolution, n);
  double abs_mean = std::fabs(summary.mean);
  std::string over = fmt::format("over seeds {}{}", describe_seeds(values.seeds),
                                 repeats ? ", one run (seed-to-seed and run-to-run parts)" : "");
  auto judge = [&](const char* name, double value, const std::optional<double>& limit, const char* key_name) {
    if (!limit) return;
    bool ok = value <= *limit;
    group.statistic(name, value, Bound{key_name, *limit}, ok);
    if (!ok) {
      group.fail(fmt::format("{}: {} {} {} exceeds {} {} ({})", check.metric, name, short_number(value), over, key_name,
                             short_number(*limit), group.label()));
    }
  };
  Interval std_bounds = widen_std(one_run.interval, one_run.estimate, slack, n);
  if (spec.std_at_most && check.confidence) {
    group.judged("std", over, one_run.estimate, std_bounds, Bound{"std_at_most", *spec.std_at_most}, false);
  } else {
    judge("std", one_run.estimate, spec.std_at_most, "std_at_most");
  }
  // The range is a property of the sample (it grows with the seed count), so
  // it is judged as observed even with confidence.
  judge("range", summary.range(), spec.range_at_most, "range_at_most");
  double cv = abs_mean > 0 ? one_run.estimate / abs_mean : std::numeric_limits<double>::infinity();
  if (spec.cv_at_most && check.confidence) {
    Interval bounds;
    std::string method;
    if (repeats) {
      // One run's std over the mean: each bound at half the error rate, so
      // that both hold together at the check's confidence.
      double split = two_sided_level(1 - (1 - *check.confidence) / 2);
      SingleRunStd wide = single_run_std_interval(values.by_seed, split);
      Interval s = widen_std(wide.interval, wide.estimate, slack, n);
      Interval m = mean_interval(values.per_seed, split);
      double far = std::max(std::fabs(m.lower), std::fabs(m.upper));
      double near = m.lower > 0 || m.upper < 0 ? std::min(std::fabs(m.lower), std::fabs(m.upper)) : 0;
      bounds = {s.lower / far, near > 0 ? s.upper / near : std::numeric_limits<double>::infinity(), s.level};
      method = "one run's std bound over the mean's";
    } else {
      // Rounding matters through the std; the mean's share of it is a step
      // over a mean far larger than one.
      bounds = cv_bounds(spec, group, values, method);
      Interval s = widen_std({bounds.lower * abs_mean, bounds.upper * abs_mean, bounds.level}, summary.std, slack, n);
      bounds = {s.lower / abs_mean, s.upper / abs_mean, s.level};
    }
    group.judged("cv", fmt::format("{}, {}", over, method), cv, bounds, Bound{"cv_at_most", *spec.cv_at_most}, false);
  } else {
    judge("cv", cv, spec.cv_at_most, "cv_at_most");
  }
  if (check.confidence && resolution > 0) group.information("resolution", resolution);
  // With repeats, the variance splits into a seed-to-seed part and a
  // run-to-run part (nondeterminism with the seed fixed); both are reported as stds.
  if (auto components = variance_components(values.by_seed)) {
    group.information("seed_std", std::sqrt(components->between_seeds));
    group.information("run_std", std::sqrt(components->within_seed));
  }
}

}  // namespace seedgate::checks
