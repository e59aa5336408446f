#pragma once
// What seeds' models predict on one fixed evaluation set, and what the
// checks compute from several seeds' predictions together: the ensemble of
// the seeds (soft or majority vote) against its members, the ensemble-size
// curve, prediction churn between seeds (pairwise, per class, the least
// stable examples), and the optimism of picking the best seed. Pure
// functions: reading the files is harness/predictions.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/bootstrap.hpp"
#include "checks/intervals.hpp"
#include "util/result.hpp"

namespace seedgate::checks {

// What a run predicted for each example: class probabilities, a class, or a
// regression value.
enum class PredictionKind { probabilities, classes, values };
const char* to_string(PredictionKind kind);

// One run's predictions, as read and validated (harness/predictions): ids
// unique, labels whole numbers in [0, classes), probabilities finite, in
// [0, 1], each row normalised to sum to 1.
struct Predictions {
  PredictionKind kind = PredictionKind::probabilities;
  std::size_t classes = 0;  // probabilities: columns; classes: 1 + the largest label or class; values: 0
  std::vector<std::string> ids;
  std::vector<double> truth;         // the true class (a whole number) or the regression target
  std::vector<float> probabilities;  // rows x classes, row-major; probabilities only
  std::vector<double> predicted;     // the predicted class (probabilities: the arg max, lowest on ties) or value
  std::string source;                // "runs/s3-d-r0/predictions", for messages

  std::size_t rows() const { return ids.size(); }
};

// The scores an ensemble check judges. accuracy and auc are to maximise, the
// others to minimise. auc needs two classes and probabilities.
enum class Score { accuracy, log_loss, brier, rmse, auc };
const char* to_string(Score score);  // "accuracy", "log-loss", "brier", "rmse", "auc"
std::optional<Score> score_from(std::string_view name);
bool maximized(Score score);

// Soft vote: the members' probabilities (or values) averaged; majority vote:
// the most frequent predicted class (ties go to the class with the highest
// mean probability, then the lowest index).
enum class Vote { soft, majority };

// Several runs' predictions on the same examples, aligned to one order of
// ids (the first member's). Member m's row i is example ids[i].
struct PredictionSet {
  PredictionKind kind = PredictionKind::probabilities;
  std::size_t classes = 0;
  std::vector<std::string> ids;
  std::vector<double> truth;
  std::vector<std::string> members;               // each member's label ("seed 3")
  std::vector<std::vector<float>> probabilities;  // per member, rows x classes (probabilities only)
  std::vector<std::vector<double>> predicted;     // per member, per row: class or value
  std::size_t rows() const { return ids.size(); }
};

// Aligns members by id. An error, naming both members and an id, when their
// ids differ (one has an id the other lacks), their kinds or class counts
// differ, or the same example has different true labels or targets (targets
// equal to 1e-6, relative). Predicted classes may count different classes (a
// run that never predicts the last class): the set takes the largest count;
// probabilities' columns must agree. Also an error, not a crash, for a member
// whose vectors do not match its ids or whose labels, classes or
// probabilities are out of range.
util::Result<PredictionSet> align_predictions(std::span<const Predictions* const> members,
                                              std::span<const std::string> labels);

// A score of one member, or of the vote of a subset of members, over all
// rows. An error when the score does not fit the predictions (log-loss of
// predicted classes, accuracy of regression values, auc of three classes).
util::Result<double> member_score(const PredictionSet& set, std::size_t member, Score score);
util::Result<double> ensemble_score(const PredictionSet& set, std::span<const std::size_t> subset, Score score,
                                    Vote vote);

// One point of the ensemble-size curve: the score of random k-member
// ensembles (all of them when there are few), their mean and 5th-95th
// percentile spread.
struct CurvePoint {
  std::size_t k = 0;
  double mean = 0;
  double low = 0;
  double high = 0;
  std::size_t subsets = 0;  // ensembles scored
};

struct EnsembleSummary {
  Score score = Score::accuracy;
  Vote vote = Vote::soft;
  double ensemble = 0;     // the full ensemble's score
  double mean_member = 0;  // the members' mean score
  double best_member = 0;  // the best member's score
  std::size_t best = 0;    // its index
  std::vector<double> member_scores;
  // The ensemble's improvement over the mean member, positive when the
  // ensemble is better, whatever the score's direction. Accuracy's is counted
  // in whole predictions, so a gain of 0 is exactly 0, in every resample too.
  double gain = 0;
  // Percentile bootstrap over examples, paired: each resample scores the
  // ensemble and every member on the same examples. Two-sided at `level`.
  Interval ensemble_interval;
  Interval gain_interval;
  std::vector<CurvePoint> curve;          // k = 1..members
  std::optional<std::size_t> k_for_most;  // smallest k whose mean gain reaches 95% of the full ensemble's
};

// Needs two members or more. `level` is the two-sided level of the intervals.
// Accuracy, log-loss and Brier resample per-example losses, RMSE per-example
// squared errors (each member's root taken per resample): O(examples x
// resamples), times members for RMSE. AUC resamples weigh each member's
// examples, ranked once, by how often they were drawn; it takes at most 1,000
// of `options.resamples` and skips resamples that lack a class. The curve
// scores every k-member ensemble when there are at most 200 of them, else 200
// random ones (seeded from `options.seed`).
util::Result<EnsembleSummary> summarize_ensemble(const PredictionSet& set, Score score, Vote vote, double level,
                                                 const BootstrapOptions& options = {});

struct ClassChurn {
  long long label = 0;
  std::size_t examples = 0;
  double churn = 0;  // mean over pairs of members of the share of this class's examples they disagree on
};

struct UnstableExample {
  std::string id;
  double truth = 0;
  double disagreement = 0;  // share of member pairs that disagree on it (regression: mean |a - b| / target spread)
  std::vector<double> predictions;  // each member's predicted class or value, in member order
};

struct ChurnSummary {
  // Classification: share of examples two members predict different classes
  // for. Regression: mean |a - b| over examples divided by the targets' std.
  double mean = 0;  // over all pairs of members
  double worst = 0;
  std::size_t worst_a = 0, worst_b = 0;  // the worst pair's members
  // What regression differences are divided by: the targets' sample std, or
  // 1 when the targets do not vary (churn is then in the targets' units).
  // Classification: 1.
  double spread = 1;
  // Upper (and lower) bound on `mean` at `level`: BCa bootstrap over
  // examples (checks/bootstrap) of the per-example share of disagreeing pairs,
  // whose mean is `mean`. (The plain percentile bound passed 11% of sweeps
  // whose true churn sat on the bound, with 3 seeds and 50 examples.)
  Interval interval;
  std::vector<double> matrix;         // members x members, row-major, 0 on the diagonal
  std::vector<ClassChurn> per_class;  // classification only, by label
  // The most disagreed-on examples (those some pair disagrees on), at most
  // `top`, most first; ties by id.
  std::vector<UnstableExample> least_stable;
};

// Needs two members or more.
util::Result<ChurnSummary> summarize_churn(const PredictionSet& set, double level, std::size_t top = 20,
                                           const BootstrapOptions& options = {});
// The churn between given pairs of members only (repeats of one seed: the
// nondeterminism-only churn), the mean over the pairs.
util::Result<double> pairs_churn(const PredictionSet& set, std::span<const std::pair<std::size_t, std::size_t>> pairs);

// E[max of n standard normals]: the expected optimism, in standard
// deviations, of picking the best of n seeds. e_1 = 0.
double expected_max_normal(std::size_t n);

// What the best of n seeds says about a fresh seed.
struct BestSeed {
  std::int64_t seed = 0;
  double value = 0;              // the best seed's value
  double fresh = 0;              // what a fresh seed is expected to give: the seeds' mean
  Interval prediction;           // where a fresh seed's value falls (t prediction interval), two-sided at its level
  double overstates = 0;         // |value - fresh|: how much choosing the best seed overstates
  double expected_optimism = 0;  // std * e_n: what picking the best of n is expected to overstate by
};

// `values[i]` is seed `seeds[i]`'s value; needs two seeds or more.
std::optional<BestSeed> best_seed(std::span<const std::int64_t> seeds, std::span<const double> values, bool maximize,
                                  double level = 0.95);

}  // namespace seedgate::checks
