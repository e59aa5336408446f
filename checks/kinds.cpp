#include "checks/kinds.hpp"

#include <cstdlib>
#include <utility>

#include "checks/drift.hpp"
#include "checks/group.hpp"

// The table's entries name only what differs from a member's default; GCC
// warns about every member a designated initializer leaves out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace seedgate::checks {
namespace {

void assign(double& target, const KeyValue& value) {
  target = value.number;
}
void assign(std::optional<double>& target, const KeyValue& value) {
  target = value.number;
}
void assign(std::optional<Bound>& target, const KeyValue& value) {
  target = Bound{value.key, value.number};
}
void assign(std::vector<std::string>& target, const KeyValue& value) {
  target = value.names;
}
void assign(std::filesystem::path& target, const KeyValue& value) {
  target = value.text;
}
void assign(std::string& target, const KeyValue& value) {
  target = value.text;
}
template <typename E>
requires std::is_enum_v<E>
void assign(E& target, const KeyValue& value) {
  target = static_cast<E>(value.choice);
}

template <typename>
struct MemberOf;
template <typename Spec, typename T>
struct MemberOf<T Spec::*> {
  using spec = Spec;
};

// A KeyInfo::set that stores the value in a member of the kind's spec:
// set_member<&VarianceSpec::std_at_most>.
template <auto Member>
void set_member(CheckSpec& check, const KeyValue& value) {
  assign(check.as<typename MemberOf<decltype(Member)>::spec>().*Member, value);
}

// The table's judge for a kind: its judge function over its own spec.
template <typename Spec, void (*Judge)(const Spec&, Group&)>
void judge_as(const CheckSpec& check, Group& group) {
  Judge(check.as<Spec>(), group);
}

KeyInfo non_negative(std::string_view name, void (*set)(CheckSpec&, const KeyValue&), bool one_of = false) {
  return {.name = name, .type = KeyType::non_negative, .one_of = one_of, .set = set};
}

KeyInfo artifact_names(void (*set)(CheckSpec&, const KeyValue&)) {
  return {.name = "artifacts", .type = KeyType::names, .set = set};
}

// The keys of the kinds that compare runs exactly: tolerances and the artifacts compared.
template <typename Spec>
std::vector<KeyInfo> exact_comparison_keys() {
  return {non_negative("atol", set_member<&Spec::atol>), non_negative("rtol", set_member<&Spec::rtol>),
          artifact_names(set_member<&Spec::artifacts>)};
}

std::vector<KindInfo> make_kinds() {
  std::vector<KindInfo> table;
  table.push_back({
      .kind = CheckKind::threshold,
      .name = "threshold",
      .judges = "a metric's mean and its worst seed (with confidence: a low quantile of the seeds) against bounds",
      .estimates = true,
      .keys = {{.name = "mean_at_least",
                .min_name = "mean_at_most",
                .type = KeyType::bound,
                .one_of = true,
                .set = set_member<&ThresholdSpec::mean>},
               {.name = "worst_at_least",
                .min_name = "worst_at_most",
                .type = KeyType::bound,
                .one_of = true,
                .set = set_member<&ThresholdSpec::worst>},
               {.name = "coverage",
                .type = KeyType::share,
                .needs_confidence = true,
                .set = set_member<&ThresholdSpec::coverage>},
               {.name = "tolerance",
                .type = KeyType::choice,
                .choices = {"normal", "nonparametric"},
                .needs_confidence = true,
                .set = set_member<&ThresholdSpec::tolerance>},
               {.name = "lost_seeds",
                .type = KeyType::choice,
                .choices = {"count", "exclude"},
                .set = set_member<&ThresholdSpec::lost_seeds>}},
      .judge = judge_as<ThresholdSpec, judge_threshold>,
  });
  table.push_back({
      .kind = CheckKind::variance,
      .name = "variance",
      .judges = "the spread of a metric across seeds: std, range and coefficient of variation",
      .estimates = true,
      .min_seeds = 2,
      .keys = {non_negative("std_at_most", set_member<&VarianceSpec::std_at_most>, true),
               non_negative("range_at_most", set_member<&VarianceSpec::range_at_most>, true),
               non_negative("cv_at_most", set_member<&VarianceSpec::cv_at_most>, true),
               {.name = "tolerance",
                .type = KeyType::choice,
                .choices = {"normal", "nonparametric"},
                .needs_confidence = true,
                .set = set_member<&VarianceSpec::tolerance>}},
      .judge = judge_as<VarianceSpec, judge_variance>,
  });
  table.push_back({
      .kind = CheckKind::reproducibility,
      .name = "reproducibility",
      .judges = "repeats of a seed give equal metrics (within atol + rtol) and bitwise-equal artifacts",
      .metric = MetricUse::optional,
      .sees_violations = true,
      .deterministic_by_default = true,
      .compares_repeats = true,
      .keys = exact_comparison_keys<ReproducibilitySpec>(),
      .judge = judge_as<ReproducibilitySpec, judge_reproducibility>,
  });
  table.push_back({
      .kind = CheckKind::seed_sensitivity,
      .name = "seed-sensitivity",
      .judges = "different seeds give different artifacts or metrics, beyond run-to-run differences: the seed "
                "reaches the training",
      .metric = MetricUse::optional,
      .compares_repeats = true,
      .min_seeds = 2,
      .keys = {artifact_names(set_member<&SeedSensitivitySpec::artifacts>),
               {.name = "seed_share_at_least",
                .type = KeyType::share,
                .set = set_member<&SeedSensitivitySpec::seed_share_at_least>}},
      .judge = judge_as<SeedSensitivitySpec, judge_seed_sensitivity>,
  });
  table.push_back({
      .kind = CheckKind::regression,
      .name = "regression",
      .judges = "a metric against a stored baseline's: non-inferiority or equivalence within a margin",
      .estimates = true,
      .keys =
          {{.name = "baseline", .type = KeyType::path, .required = true, .set = set_member<&RegressionSpec::baseline>},
           non_negative("margin", set_member<&RegressionSpec::margin>),
           {.name = "comparison",
            .type = KeyType::choice,
            .choices = {"non-inferiority", "equivalence"},
            .set = set_member<&RegressionSpec::comparison>},
           {.name = "pairing",
            .type = KeyType::choice,
            .choices = {"auto", "seed", "none"},
            .set = set_member<&RegressionSpec::pairing>}},
      .judge = judge_as<RegressionSpec, judge_regression>,
  });
  table.push_back({
      .kind = CheckKind::consistency,
      .name = "consistency",
      .judges = "a seed gives equal metrics (within atol + rtol) and listed artifacts across devices and thread counts",
      .metric = MetricUse::optional,
      .across_configurations = true,
      .deterministic_by_default = true,
      .keys = exact_comparison_keys<ConsistencySpec>(),
      .judge = judge_as<ConsistencySpec, judge_consistency>,
  });
  table.push_back({
      .kind = CheckKind::failures,
      .name = "failures",
      .judges = "the share of runs that crashed or timed out (with confidence: its Clopper-Pearson upper bound)",
      .metric = MetricUse::none,
      .estimates = true,
      .keys = {{.name = "rate_at_most",
                .type = KeyType::share,
                .required = true,
                .set = set_member<&FailuresSpec::rate_at_most>}},
      .judge = judge_as<FailuresSpec, judge_failures>,
  });
  table.push_back({
      .kind = CheckKind::ensemble,
      .name = "ensemble",
      .judges = "the score of the seeds' averaged predictions (soft or majority vote) and its gain over the mean seed",
      .metric = MetricUse::score,
      .estimates = true,
      .reads_predictions = true,
      .min_seeds = 2,
      .keys =
          {{.name = "at_least",
            .min_name = "at_most",
            .type = KeyType::bound,
            .one_of = true,
            .set = set_member<&EnsembleSpec::score>},
           {.name = "gain_at_least", .type = KeyType::bound, .one_of = true, .set = set_member<&EnsembleSpec::gain>},
           {.name = "vote",
            .type = KeyType::choice,
            .choices = {"soft", "majority"},
            .set = set_member<&EnsembleSpec::vote>}},
      .judge = judge_as<EnsembleSpec, judge_ensemble>,
  });
  table.push_back({
      .kind = CheckKind::churn,
      .name = "churn",
      .judges = "the share of examples two seeds' models predict differently (regression: their mean absolute "
                "difference over the targets' std)",
      .metric = MetricUse::none,
      .estimates = true,
      .reads_predictions = true,
      .min_seeds = 2,
      .keys = {{.name = "at_most",
                .type = KeyType::non_negative,
                .required = true,
                .set = set_member<&ChurnSpec::at_most>}},
      .judge = judge_as<ChurnSpec, judge_churn>,
  });
  table.push_back({
      .kind = CheckKind::compare,
      .name = "compare",
      .judges = "variants run on the same seeds: the expected one is non-inferior to each other by the margin "
                "(paired per-seed differences), with IQM, probability of improvement, ranks and the single-seed "
                "tuning trap",
      .estimates = true,
      .across_variants = true,
      .min_seeds = 2,
      .keys = {{.name = "expect", .type = KeyType::variant, .required = true, .set = set_member<&CompareSpec::expect>},
               non_negative("margin", set_member<&CompareSpec::margin>)},
      .judge = judge_as<CompareSpec, judge_compare>,
  });
  table.push_back({
      .kind = CheckKind::drift,
      .name = "drift",
      .judges = "this sweep's mean against the history of earlier sweeps on the branch: a shift from the last "
                "accepted sweeps, and slow drift by a CUSUM, naming the sweep where it began",
      .estimates = true,
      .reads_history = true,
      .keys = {{.name = "window",
                .type = KeyType::count,
                .minimum = static_cast<double>(kMinDriftReference),
                .set = set_member<&DriftSpec::window>},
               {.name = "span", .type = KeyType::count, .minimum = 2, .set = set_member<&DriftSpec::span>},
               non_negative("cusum_k", set_member<&DriftSpec::cusum_k>),
               non_negative("cusum_h", set_member<&DriftSpec::cusum_h>),
               {.name = "direction",
                .type = KeyType::choice,
                .choices = {"both", "worse"},
                .set = set_member<&DriftSpec::direction>},
               {.name = "branch", .type = KeyType::text, .set = set_member<&DriftSpec::branch>},
               {.name = "since", .type = KeyType::text, .set = set_member<&DriftSpec::since>}},
      .judge = judge_as<DriftSpec, judge_drift>,
  });
  return table;
}

}  // namespace

std::span<const KindInfo> kinds() {
  static const std::vector<KindInfo> table = [] {
    std::vector<KindInfo> t = make_kinds();
    // The table, CheckKind and KindSpec list the kinds in one order.
    if (t.size() != std::variant_size_v<KindSpec>) std::abort();
    for (std::size_t i = 0; i < t.size(); ++i)
      if (static_cast<std::size_t>(t[i].kind) != i || !t[i].judge) std::abort();
    return t;
  }();
  return table;
}

std::vector<std::string_view> own_keys(const KindInfo& kind) {
  std::vector<std::string_view> keys;
  for (const KeyInfo& key : kind.keys) {
    keys.push_back(key.name);
    if (!key.min_name.empty()) keys.push_back(key.min_name);
  }
  if (kind.estimates) keys.insert(keys.end(), std::begin(kEstimateKeys), std::end(kEstimateKeys));
  return keys;
}

const KindInfo& kind_info(CheckKind kind) {
  return kinds()[static_cast<std::size_t>(kind)];
}

const KindInfo* find_kind(std::string_view name) {
  for (const KindInfo& k : kinds())
    if (k.name == name) return &k;
  return nullptr;
}

const std::filesystem::path* baseline_of(const CheckSpec& spec) {
  return std::visit(
      [](const auto& own) -> const std::filesystem::path* {
        if constexpr (requires { own.baseline; })
          return &own.baseline;
        else
          return nullptr;
      },
      spec.params);
}

KindSpec default_spec(CheckKind kind) {
  KindSpec spec;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((I == static_cast<std::size_t>(kind) ? (void)spec.emplace<I>() : (void)0), ...);
  }
  (std::make_index_sequence<std::variant_size_v<KindSpec>>());
  return spec;
}

const char* to_string(CheckKind kind) {
  return kind_info(kind).name.data();
}

}  // namespace seedgate::checks
