#pragma once
// Check kinds and their evaluation. A check judges one metric (or the run's
// digests) over the runs that pass its filter of modes, devices and thread
// counts. Each (mode, device, threads) combination is judged on its own: a
// deterministic-mode distribution and a default-mode one are different
// populations. Without `confidence` a check judges point estimates; with it,
// each bound is judged by a confidence bound on the estimate, and the verdict
// is pass (the whole interval meets the bound), fail (none of it does) or
// inconclusive (the interval straddles the bound).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/bootstrap.hpp"
#include "checks/intervals.hpp"
#include "checks/kinds.hpp"
#include "checks/predictions.hpp"

namespace seedgate::checks {

enum class Goal { maximize, minimize };

// One finished run as the checks see it.
struct Observation {
  std::int64_t seed = 0;
  std::string mode;
  std::string device;
  int threads = 0;  // 0: the sweep has no threads axis
  int repeat = 0;
  int fold = -1;        // -1: the sweep has no folds axis
  std::string variant;  // the [[variant]] it ran; empty: none
  std::string source;   // the source of randomness its seed varied ([sweep] vary); empty: all of them
  std::map<std::string, double> metrics;
  std::map<std::string, std::string> digests;  // artifact name -> "xxh3:..."
  // Set when the run stopped on an op with no deterministic implementation
  // ("put_ does not have a deterministic implementation"): it has no results,
  // and reproducibility checks that select it fail on it.
  std::string violation;
  // Set when the run crashed or timed out ("crashed: exit status 3"): it has
  // no results. Checks count it as lost (threshold bounds, failures).
  std::string lost;
  // Its predictions on the evaluation set, read only for the kinds that judge
  // them; null with `predictions_error` saying why ("wrote no predictions",
  // "predictions:17: 4 columns, the header has 5").
  std::shared_ptr<const Predictions> predictions;
  std::string predictions_error;
};

// A check as the policy declares it: what every kind shares (the metric, the
// filter of modes, devices and thread counts, the confidence) and the kind's
// own spec in `params`, whose alternative is the kind.
struct CheckSpec {
  std::string name;    // unique within the policy, e.g. "threshold-accuracy"
  std::string metric;  // empty: reproducibility / seed-sensitivity judge digests and every metric
  Goal goal = Goal::maximize;
  std::vector<std::string> modes;    // empty: every mode
  std::vector<std::string> devices;  // empty: every device
  std::vector<int> threads;          // empty: every thread count
  // One-sided confidence of each bound at this look (a sequential sweep's
  // looks each get a share of 1 - confidence). nullopt: point estimates.
  std::optional<double> confidence;
  BootstrapOptions bootstrap;  // where a kind bootstraps (variance `cv_at_most`, tolerance = "nonparametric")
  // The step the metric's values are rounded to: intervals widen by the
  // rounding error it allows. nullopt: inferred from the values' decimals;
  // 0: continuous.
  std::optional<double> resolution;
  KindSpec params;

  CheckKind kind() const { return static_cast<CheckKind>(params.index()); }
  // The kind's own spec; the caller knows the kind.
  template <typename Spec>
  const Spec& as() const {
    return std::get<Spec>(params);
  }
  template <typename Spec>
  Spec& as() {
    return std::get<Spec>(params);
  }
};

// fail wins over error, error over inconclusive, inconclusive over pass.
enum class Verdict { pass, fail, inconclusive, error };
const char* to_string(Verdict verdict);
std::optional<Verdict> verdict_from(std::string_view text);

struct Statistic {
  std::string group;  // "mode=default, device=cpu"
  std::string name;   // "mean", "worst", "q10", "std", "range", "cv", "worse_by", ...
  double value = 0;
  std::optional<Bound> bound;        // none: reported for information
  std::optional<Interval> interval;  // the interval judged against the bound, when confidence is set
  Verdict verdict = Verdict::pass;
};

// What a predictions check found in one group, beyond its statistics: what
// the reports draw (the ensemble-size curve, the churn heat map) and list
// (churn per class, the least stable examples).
struct PredictionDetail {
  std::string group;
  std::vector<std::string> members;  // "seed 3", in the order of the matrix and of each example's predictions
  // Regression values: churn is a mean absolute difference over the targets' std, not a share.
  bool regression = false;
  std::vector<CurvePoint> curve;              // ensemble: k = 1..members
  std::optional<std::size_t> k_for_most;      // ensemble: the smallest k with 95% of the full ensemble's gain
  std::vector<double> churn_matrix;           // churn: members x members, row-major
  std::vector<ClassChurn> per_class;          // churn, classification
  std::vector<UnstableExample> least_stable;  // churn
};

// Fail-safe: an outcome nobody judged is an error, never a pass.
struct CheckOutcome {
  std::string name;
  CheckKind kind = CheckKind::threshold;
  std::string metric;
  Verdict verdict = Verdict::error;
  std::vector<std::string> messages;  // why it failed or could not be judged
  std::vector<Statistic> statistics;  // what it computed, pass or fail
  std::vector<std::int64_t> seeds;    // seeds judged, sorted
  std::optional<double> confidence;   // one-sided confidence each bound was judged at
  std::vector<std::string> notes;     // context that does not change the verdict
  // An inconclusive bound whose point estimate is already on the wrong side:
  // `inconclusive = "pass"` still fails such a check.
  bool estimate_breaches = false;
  std::vector<PredictionDetail> details;  // ensemble and churn checks: one per group judged
};

// An earlier sweep from the history store, as the drift kind reads it.
struct PastSweep {
  std::string id;
  std::string started;  // ISO 8601, UTC
  std::string commit;
  bool accepted = false;                         // its verdict was pass
  std::vector<Observation> runs;                 // its finished runs, with the metrics the checks need
  std::vector<std::string> environment_changes;  // how this sweep's environment differs from it ("cpu: A vs B")
};

// Whether the check's filter of modes, devices and thread counts takes `o`.
bool selects(const CheckSpec& spec, const Observation& o);

// `baseline` holds the baseline's runs; only regression checks read it.
// `history`: earlier sweeps, oldest first; only drift checks read it.
CheckOutcome evaluate(const CheckSpec& spec, std::span<const Observation> observations,
                      std::span<const Observation> baseline = {}, std::span<const PastSweep> history = {});

// "0..7" for a contiguous run, "1, 5, 9" otherwise.
std::string describe_seeds(std::span<const std::int64_t> seeds);

}  // namespace seedgate::checks
