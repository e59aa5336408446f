// kind = "ensemble": the seeds' models together. The score of their averaged
// predictions (soft vote) or of their majority vote, against the mean and the
// best single seed; `at_least` bounds the ensemble's score and
// `gain_at_least` its improvement over the mean seed. With confidence both are
// judged by a percentile bootstrap over examples, paired: every resample
// scores the ensemble and each seed on the same examples. The detail holds the
// ensemble-size curve (random k-seed ensembles, k = 1..n) and the smallest k
// that buys 95% of the full ensemble's gain.
#include <fmt/format.h>

#include "checks/group.hpp"

namespace seedgate::checks {
namespace {

// How sure the interval is when the check has no confidence: reported, never judged.
constexpr double kReportedLevel = 0.90;

}  // namespace

void judge_ensemble(const EnsembleSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  std::vector<const Observation*> runs = group.first_repeats();
  if (runs.size() < 2) {
    group.error(
        fmt::format("an ensemble needs the predictions of 2 seeds or more, got {} ({})", runs.size(), group.label()));
    return;
  }
  std::optional<PredictionSet> set = group.predictions(runs);
  if (!set) return;
  std::optional<Score> score = score_from(check.metric);
  if (!score) {
    group.error(fmt::format("unknown score '{}' ({})", check.metric, group.label()));
    return;
  }
  double level = check.confidence ? two_sided_level(*check.confidence) : kReportedLevel;
  auto summary = summarize_ensemble(*set, *score, spec.vote, level, check.bootstrap);
  if (!summary) {
    group.error(fmt::format("{} ({})", summary.error(), group.label()));
    return;
  }
  const bool maximize = maximized(*score);
  const std::string over = fmt::format("of {} seeds' {} vote on {} examples", set->members.size(),
                                       spec.vote == Vote::soft ? "soft" : "majority", set->rows());
  if (spec.score) {
    if (check.confidence) {
      group.judged("ensemble", over, summary->ensemble, summary->ensemble_interval, *spec.score, maximize);
    } else {
      bool ok = within(*spec.score, summary->ensemble, check.goal);
      group.statistic("ensemble", summary->ensemble, *spec.score, ok);
      if (!ok)
        group.fail(fmt::format("{}: ensemble {} {} is {} {} {} ({})", check.metric, short_number(summary->ensemble),
                               over, breach_word(check.goal), spec.score->key, short_number(spec.score->value),
                               group.label()));
    }
  } else {
    group.information("ensemble", summary->ensemble, summary->ensemble_interval);
  }
  group.information("mean_seed", summary->mean_member);
  group.information("best_seed", summary->best_member);
  const std::string gain_over =
      fmt::format("over the mean seed's {} ({} {} of the ensemble)", short_number(summary->mean_member), check.metric,
                  short_number(summary->ensemble));
  if (spec.gain) {
    if (check.confidence) {
      group.judged("gain", gain_over, summary->gain, summary->gain_interval, *spec.gain, true);
    } else {
      bool ok = summary->gain >= spec.gain->value;
      group.statistic("gain", summary->gain, *spec.gain, ok);
      if (!ok)
        group.fail(fmt::format("{}: ensemble gain {} {} is below gain_at_least {} ({})", check.metric,
                               short_number(summary->gain), gain_over, short_number(spec.gain->value), group.label()));
    }
  } else {
    group.information("gain", summary->gain, summary->gain_interval);
  }
  if (maximize ? summary->best_member > summary->ensemble : summary->best_member < summary->ensemble)
    group.note(fmt::format("{} alone scores {}, better than the ensemble's {} ({})", set->members[summary->best],
                           short_number(summary->best_member), short_number(summary->ensemble), group.label()));
  if (summary->k_for_most)
    group.note(fmt::format("an ensemble of {} seed{} buys 95% of the gain of all {} ({})", *summary->k_for_most,
                           *summary->k_for_most == 1 ? "" : "s", set->members.size(), group.label()));
  PredictionDetail& detail = group.detail();
  detail.members = set->members;
  detail.curve = summary->curve;
  detail.k_for_most = summary->k_for_most;
}

}  // namespace seedgate::checks
