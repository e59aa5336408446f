// kind = "regression": the candidate against a stored baseline, per group.
// Without confidence: the difference of means against the margin. With it:
// the interval for the difference (non-inferiority, or TOST for
// equivalence), paired by seed where both sides ran the same seeds (paired t,
// Wilcoxon signed-rank beside it) and Welch's otherwise. Mann–Whitney, the
// probability of improvement and Brunner–Munzel are reported beside it.
#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "checks/compare.hpp"
#include "checks/group.hpp"
#include "checks/stats.hpp"

namespace seedgate::checks {
namespace {

// TOST: equivalent when the interval for the difference lies inside +-margin.
void judge_equivalence(const RegressionSpec& spec, Group& group, const WelchResult& welch, const std::string& over,
                       std::size_t baseline_seeds) {
  const CheckSpec& check = group.spec();
  Interval d = welch.interval;
  Verdict verdict = d.lower >= -spec.margin && d.upper <= spec.margin ? Verdict::pass
                    : d.lower > spec.margin || d.upper < -spec.margin ? Verdict::fail
                                                                      : Verdict::inconclusive;
  group.verdict_statistic("difference", welch.difference, Bound{"margin", spec.margin}, d, verdict);
  group.information("tost_p", equivalence_p(welch, spec.margin));
  std::string judged =
      fmt::format("{}: difference from the baseline mean {} {} against the baseline's {} seeds ({})", check.metric,
                  short_number(welch.difference), over, baseline_seeds, describe_interval(d, *check.confidence));
  if (verdict == Verdict::fail)
    group.fail(fmt::format("{} lies outside +-margin {} ({})", judged, short_number(spec.margin), group.label()));
  else if (verdict == Verdict::inconclusive)
    group.inconclusive(fmt::format("{} straddles +-margin {}: cannot tell yet ({})", judged, short_number(spec.margin),
                                   group.label()));
}

// The paired comparison where the policy's `pairing` and the data allow it:
// the same seeds on both sides. "auto" pairs whenever they match, whatever
// the correlation: the paired t bound holds its error rate for any
// correlation (with none it only loses degrees of freedom), while choosing
// the design by the observed correlation would let whichever test looks
// better win, and pass more often than the confidence says. Says which
// design it used. nullopt: judge unpaired (or, for "seed", an error).
std::optional<WelchResult> pair_by_seed(const RegressionSpec& spec, Group& group, const SeedValues& values,
                                        const SeedValues& base, std::span<const double> x, std::span<const double> y) {
  if (spec.pairing == Pairing::none) {
    group.note("unpaired (Welch): pairing = \"none\"");
    return std::nullopt;
  }
  bool same_seeds = values.seeds == base.seeds;
  if (!same_seeds) {
    std::string why = fmt::format("the candidate ran seeds {} and the baseline {}", describe_seeds(values.seeds),
                                  describe_seeds(base.seeds));
    if (spec.pairing == Pairing::seed)
      group.error(fmt::format("{}: pairing = \"seed\" needs the same seeds on both sides, but {} ({})",
                              group.spec().metric, why, group.label()));
    else
      group.note(fmt::format("unpaired (Welch): {} ({})", why, group.label()));
    return std::nullopt;
  }
  PairedResult paired = paired_t_test(x, y, two_sided_level(*group.spec().confidence));
  group.information("correlation", paired.correlation);
  group.information("wilcoxon_p", wilcoxon_signed_rank(x, y).p_two_sided);
  group.note(fmt::format("paired by seed (paired t; r = {:.3g} between candidate and baseline) ({})",
                         paired.correlation, group.label()));
  return static_cast<WelchResult>(paired);
}

}  // namespace

void judge_regression(const RegressionSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  SeedValues values = group.values();
  if (group.reject_bad_values(values)) return;
  if (!group.baseline()) {
    group.error(fmt::format("{}: the baseline has no runs for {}", check.metric, group.label()));
    return;
  }
  SeedValues base = collect_values(*group.baseline(), check.metric, check.goal);
  if (base.per_seed.empty() || !base.non_finite.empty()) {
    group.error(fmt::format("{}: the baseline has no finite values for {}", check.metric, group.label()));
    return;
  }
  // Oriented so that larger is better: `improvement` = candidate - baseline for "max".
  bool maximize = check.goal == Goal::maximize;
  std::vector<double> x = values.per_seed, y = base.per_seed;
  if (!maximize) {
    for (double& v : x) v = -v;
    for (double& v : y) v = -v;
  }
  double candidate = summarize(values.per_seed).mean;
  double reference = summarize(base.per_seed).mean;
  double worse_by = maximize ? reference - candidate : candidate - reference;
  std::string over = fmt::format("over seeds {}", describe_seeds(values.seeds));
  bool equivalence = spec.comparison == Comparison::equivalence;
  if (check.confidence) {
    if (x.size() < 2 || y.size() < 2) {
      group.error(
          fmt::format("{}: a comparison with confidence needs at least 2 seeds on each side, got {} "
                      "and {} in the baseline ({})",
                      check.metric, x.size(), y.size(), group.label()));
      return;
    }
    std::optional<WelchResult> paired = pair_by_seed(spec, group, values, base, x, y);
    if (!paired && spec.pairing == Pairing::seed) return;
    WelchResult welch = paired ? *paired : welch_test(x, y, two_sided_level(*check.confidence));
    group.information("baseline_mean", reference);
    if (equivalence) {
      judge_equivalence(spec, group, welch, over, base.per_seed.size());
    } else {
      Interval worse{0.0 - welch.interval.upper, 0.0 - welch.interval.lower, welch.interval.level};
      std::string what = fmt::format("against the baseline mean {} ({} seeds) over seeds {}", short_number(reference),
                                     base.per_seed.size(), describe_seeds(values.seeds));
      group.judged("worse_by", what, 0.0 - welch.difference, worse, Bound{"margin", spec.margin}, false);
      group.information("non_inferiority_p", non_inferiority_p(welch, spec.margin));
    }
    group.information(paired ? "paired_t_p" : "welch_p", welch.p_two_sided);
    MannWhitneyResult mw = mann_whitney(x, y);
    group.information("prob_improvement", mw.prob_greater);
    group.information("mann_whitney_p", mw.p_two_sided);
    group.information("brunner_munzel_p", brunner_munzel(x, y).p_two_sided);
    return;
  }
  bool ok = equivalence ? std::fabs(worse_by) <= spec.margin : worse_by <= spec.margin;
  group.statistic("mean", candidate, Bound{"baseline mean", reference}, ok);
  group.statistic("worse_by", worse_by, Bound{"margin", spec.margin}, ok);
  if (!ok) {
    group.fail(fmt::format("{}: mean {} {} is {} the baseline mean {} by {}, more than margin {} ({})", check.metric,
                           short_number(candidate), over, worse_by >= 0 ? "worse than" : "better than",
                           short_number(reference), short_number(std::fabs(worse_by)), short_number(spec.margin),
                           group.label()));
  }
}

}  // namespace seedgate::checks
