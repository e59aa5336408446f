// kind = "churn": how often two seeds' models disagree on the same example.
// Classification: the share of examples two seeds predict different classes
// for, over every pair of seeds (mean and worst pair); regression: their mean
// absolute difference over the targets' std. `at_most` bounds the mean; with
// confidence, by a percentile bootstrap over examples. With repeats, the churn
// between repeats of the same seed (what nondeterminism alone causes) is
// reported beside it. The detail holds the seed-by-seed matrix, churn per
// class and the least stable examples.
#include <fmt/format.h>

#include <utility>

#include "checks/group.hpp"

namespace seedgate::checks {
namespace {

constexpr double kReportedLevel = 0.90;
constexpr std::size_t kLeastStable = 20;

// Churn between repeats of each seed: pairs (repeat 0, repeat r) of the same seed.
void repeats_churn(Group& group) {
  std::span<const Observation* const> runs = group.runs();
  if (runs.size() == group.first_repeats().size()) return;
  std::optional<PredictionSet> all = group.predictions(runs, true);
  if (!all) return;
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  std::size_t first = 0;
  for (std::size_t i = 1; i < runs.size(); ++i) {
    if (runs[i]->seed != runs[first]->seed)
      first = i;
    else
      pairs.emplace_back(first, i);
  }
  auto churn = pairs_churn(*all, pairs);
  if (!churn) {
    group.error(fmt::format("{} ({})", churn.error(), group.label()));
    return;
  }
  group.information("churn_repeats", *churn);
  group.note(fmt::format("repeats of the same seed disagree on {} of examples: nondeterminism alone ({} pair{}; {})",
                         short_number(*churn), pairs.size(), pairs.size() == 1 ? "" : "s", group.label()));
}

}  // namespace

void judge_churn(const ChurnSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  std::vector<const Observation*> runs = group.first_repeats();
  if (runs.size() < 2) {
    group.error(fmt::format("churn needs the predictions of 2 seeds or more, got {} ({})", runs.size(), group.label()));
    return;
  }
  std::optional<PredictionSet> set = group.predictions(runs);
  if (!set) return;
  double level = check.confidence ? two_sided_level(*check.confidence) : kReportedLevel;
  auto summary = summarize_churn(*set, level, kLeastStable, check.bootstrap);
  if (!summary) {
    group.error(fmt::format("{} ({})", summary.error(), group.label()));
    return;
  }
  Bound bound{"at_most", spec.at_most.value_or(0)};
  std::string what = fmt::format("over {} pairs of {} seeds on {} examples",
                                 set->members.size() * (set->members.size() - 1) / 2, set->members.size(), set->rows());
  if (check.confidence) {
    group.judged("churn", what, summary->mean, summary->interval, bound, false);
  } else {
    bool ok = summary->mean <= bound.value;
    group.statistic("churn", summary->mean, bound, ok);
    if (!ok)
      group.fail(fmt::format("churn {} {} exceeds at_most {} ({})", short_number(summary->mean), what,
                             short_number(bound.value), group.label()));
  }
  group.information("churn_worst_pair", summary->worst);
  group.note(fmt::format("{} and {} disagree most: {} ({})", set->members[summary->worst_a],
                         set->members[summary->worst_b], short_number(summary->worst), group.label()));
  repeats_churn(group);
  PredictionDetail& detail = group.detail();
  detail.members = set->members;
  detail.regression = set->kind == PredictionKind::values;
  detail.churn_matrix = std::move(summary->matrix);
  detail.per_class = std::move(summary->per_class);
  detail.least_stable = std::move(summary->least_stable);
}

}  // namespace seedgate::checks
