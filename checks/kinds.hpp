#pragma once
// The check kinds, declared once. Each kind is a spec struct (its own policy
// keys, typed), one entry in the table `kinds()` (its name, its keys with
// their types, what it judges, how its runs are grouped) and one judge
// function over a group of runs. The policy loader, policy lint, the results
// reader and writer and every report take the list from the table; nothing
// else spells a kind's name.
//
// Adding a kind: a value in CheckKind, its spec struct in KindSpec (in the
// same order), an entry in the table (checks/kinds.cpp) and its judge.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "checks/predictions.hpp"

namespace seedgate::checks {

// A bound as the policy wrote it: `key` is the policy's name for it
// ("mean_at_least"), used verbatim in messages.
struct Bound {
  std::string key;
  double value = 0;
};

// How `worst_*` is judged with confidence: the normal tolerance bound (exact
// noncentral-t factor) or order statistics, which assume no distribution.
enum class Tolerance { normal, nonparametric };

// How a threshold check counts a seed whose run crashed or timed out: below
// any bound (a program that crashes on its worst seeds must not look better
// than one that doesn't), or left out of the statistics (the report says so).
enum class LostSeeds { count, exclude };

// Whether a regression check pairs the candidate's seeds with the baseline's:
// `automatic` pairs when both ran the same seeds (Welch otherwise); `seed`
// always pairs (an error when the seeds differ); `none` never does.
enum class Pairing { automatic, seed, none };

// What a regression check asks of the candidate: no worse than the baseline by
// more than the margin, or within the margin either way (TOST).
enum class Comparison { non_inferiority, equivalence };

// A metric's mean and its worst seed (or, with confidence, a low quantile of
// the seeds' distribution) against bounds.
struct ThresholdSpec {
  std::optional<Bound> mean;
  std::optional<Bound> worst;
  double coverage = 0.9;  // `worst_*` with confidence: share of seeds that must meet the bound
  Tolerance tolerance = Tolerance::normal;
  LostSeeds lost_seeds = LostSeeds::count;
};

// The spread of a metric across seeds; with repeats, the spread of one run
// (seed-to-seed plus run-to-run), which is what a single production run has.
struct VarianceSpec {
  std::optional<double> std_at_most;
  std::optional<double> range_at_most;
  std::optional<double> cv_at_most;
  // With confidence: normal theory (chi-square for the std, noncentral t for
  // the cv), or the bootstrap BCa for the cv from 10 seeds on.
  Tolerance tolerance = Tolerance::normal;
};

// Repeats of a seed agree: metrics within atol + rtol * |reference|, digests
// equal. An empty `artifacts` compares every reported digest.
struct ReproducibilitySpec {
  double atol = 0;
  double rtol = 0;
  std::vector<std::string> artifacts;
};

// Different seeds give different models (the seed reaches the training).
// With repeats of a program that varies from run to run, the seed must
// explain at least `seed_share_at_least` of the metric's variance.
struct SeedSensitivitySpec {
  std::vector<std::string> artifacts;  // empty: every reported digest
  double seed_share_at_least = 0.5;
};

// The candidate's distribution against a stored baseline's.
struct RegressionSpec {
  std::filesystem::path baseline;  // results written by `seedgate baseline save`
  double margin = 0;               // how much worse than the baseline's mean is still acceptable
  Comparison comparison = Comparison::non_inferiority;
  Pairing pairing = Pairing::automatic;
};

// Same seed and mode across devices and thread counts: metrics within atol +
// rtol * |reference|, and the listed artifacts bitwise equal.
struct ConsistencySpec {
  double atol = 0;
  double rtol = 0;
  std::vector<std::string> artifacts;  // empty: digests are not compared
};

// The share of runs that crashed or timed out.
struct FailuresSpec {
  std::optional<double> rate_at_most;  // with confidence: the Clopper–Pearson upper bound
};

// The seeds' models together: the score (the check's `metric`: accuracy,
// log-loss, brier, rmse, auc) of their averaged predictions against a bound,
// and its gain over the mean single seed. Reads the runs' predictions.
struct EnsembleSpec {
  std::optional<Bound> score;  // `at_least` (`at_most` for a score to minimise)
  std::optional<Bound> gain;   // `gain_at_least`: the ensemble's improvement over the mean seed
  Vote vote = Vote::soft;
};

// How often two seeds' models predict differently for the same example
// (regression: their mean absolute difference over the targets' std).
struct ChurnSpec {
  std::optional<double> at_most;
};

// Variants ([[variant]]) run on the same seeds, ranked: the chosen one
// (`expect`) must be non-inferior to every other by `margin`, judged on paired
// per-seed differences.
struct CompareSpec {
  std::string expect;  // a [[variant]]'s name
  double margin = 0;   // how much worse than another variant's mean is still acceptable
};

// Which way a drift check alarms: either way the metric leaves its range, or
// only when it gets worse.
enum class DriftDirection { both, worse };

// This sweep against the history of earlier sweeps (checks/drift.hpp): a
// shift against the last `window` accepted sweeps, and slow drift by a CUSUM
// over the last `span` sweeps. Needs a history store.
struct DriftSpec {
  double window = 20;  // accepted sweeps in each reference
  double span = 20;    // sweeps the CUSUM runs over, this one included
  double cusum_k = 0.5;
  double cusum_h = 8;
  DriftDirection direction = DriftDirection::both;
  std::string branch = {};  // the branch whose history is the reference; empty: this sweep's own
  // Earlier sweeps that started before this time (ISO 8601, "2026-11-20")
  // are not read: after a deliberate change, the new level's first sweep.
  std::string since = {};
};

// In the order of KindSpec's alternatives (checks/kinds.cpp asserts it).
enum class CheckKind {
  threshold,
  variance,
  reproducibility,
  seed_sensitivity,
  regression,
  consistency,
  failures,
  ensemble,
  churn,
  compare,
  drift
};

using KindSpec = std::variant<ThresholdSpec, VarianceSpec, ReproducibilitySpec, SeedSensitivitySpec, RegressionSpec,
                              ConsistencySpec, FailuresSpec, EnsembleSpec, ChurnSpec, CompareSpec, DriftSpec>;

struct CheckSpec;
class Group;

// A policy key's value, checked against its KeyType by the policy loader.
struct KeyValue {
  std::string key;  // as written: for a bound, the name that fits the metric's goal
  double number = 0;
  std::vector<std::string> names;
  std::string text;        // a path, resolved against the policy's folder; a variant's name
  std::size_t choice = 0;  // index into KeyInfo::choices
};

enum class KeyType {
  non_negative,  // a finite number >= 0
  bound,         // a finite number; the key's name follows the metric's goal
  share,         // a number strictly between 0 and 1
  choice,        // one of `choices`
  names,         // an array of non-empty strings, none twice
  path,          // a file, relative to the policy's folder
  variant,       // the name of a declared [[variant]]
  count,         // a whole number >= KeyInfo::minimum
  text,          // a non-empty string
};

// One policy key of a kind.
struct KeyInfo {
  std::string_view name;      // the key; for a bound, its name with goal = "max"
  std::string_view min_name;  // a bound's name with goal = "min" ("mean_at_most"); empty otherwise
  KeyType type = KeyType::non_negative;
  std::vector<std::string_view> choices;  // KeyType::choice, in the order of the enum it sets
  bool required = false;                  // the kind cannot work without it
  bool one_of = false;                    // the kind needs at least one of its one_of keys
  bool needs_confidence = false;          // meaningful only with `confidence`
  double minimum = 0;                     // KeyType::count: the smallest value allowed
  void (*set)(CheckSpec&, const KeyValue&) = nullptr;

  // The key's name for a metric with this goal.
  std::string_view name_for(bool maximize) const { return maximize || min_name.empty() ? name : min_name; }
};

enum class MetricUse {
  required,  // judges one metric
  optional,  // one metric, or (empty) every metric and artifact digest
  none,      // judges runs, not metrics
  score,     // a score of the runs' predictions (checks/predictions: accuracy, log-loss, ...); accuracy by default
};

struct KindInfo {
  CheckKind kind;
  std::string_view name;    // in policies and results: "seed-sensitivity"
  std::string_view judges;  // what it judges, in a sentence
  MetricUse metric = MetricUse::required;
  bool estimates = false;                 // judges estimates: takes `confidence` and `inconclusive`
  bool sees_violations = false;           // judges runs stopped by a determinism violation
  bool across_configurations = false;     // one group per mode: compares devices and thread counts
  bool across_variants = false;           // one group holds every variant's runs: compares variants
  bool deterministic_by_default = false;  // `modes` defaults to ["deterministic"] when the sweep has it
  bool compares_repeats = false;          // needs repeats >= 2
  bool reads_predictions = false;         // judges the runs' predictions files, not their metrics
  bool reads_history = false;             // judges this sweep against earlier sweeps in the history store
  std::size_t min_seeds = 1;              // seeds the kind needs to judge anything
  std::vector<KeyInfo> keys;
  void (*judge)(const CheckSpec&, Group&) = nullptr;
};

// Keys every [[check]] takes, whatever its kind.
inline constexpr std::string_view kCommonCheckKeys[] = {"kind", "name", "metric", "modes", "devices", "threads"};
// Keys every kind that estimates takes.
inline constexpr std::string_view kEstimateKeys[] = {"confidence", "inconclusive", "resolution"};

// The keys a kind takes besides the common ones, in the order "did you mean"
// prefers them: its own (a bound under both goals' names), then the estimate keys.
std::vector<std::string_view> own_keys(const KindInfo& kind);

// Every kind, in CheckKind order.
std::span<const KindInfo> kinds();
const KindInfo& kind_info(CheckKind kind);
const KindInfo* find_kind(std::string_view name);
const char* to_string(CheckKind kind);
// The stored results a check compares against: the `baseline` of a kind
// whose spec has one (regression), null otherwise.
const std::filesystem::path* baseline_of(const CheckSpec& spec);
// The kind's spec with every key at its default.
KindSpec default_spec(CheckKind kind);

}  // namespace seedgate::checks
