#pragma once
// Statistics for comparing variants (configurations run on the same seeds)
// and for splitting a metric's variance by where it comes from: rliable's
// aggregates (IQM with stratified bootstrap bounds, probability of
// improvement; Agarwal et al., NeurIPS 2021), paired per-seed differences
// with a non-inferiority verdict, ranks per seed and the single-seed tuning
// trap, the Nadeau–Bengio corrected resampled t for cross-validation, the
// variance components of a crossed seed x fold design and the shares of
// one-at-a-time seed sources (Bouthillier et al., MLSys 2021).
//
// Pure functions. Every function here throws std::invalid_argument, with a
// message that names what is wrong, on input it cannot judge (too few values,
// ragged tables, non-finite values); a caller that wants a verdict instead
// checks the sizes first. Bootstraps are seeded (checks/bootstrap.hpp's
// Xoshiro256) so the same data and seed give the same interval.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "checks/bootstrap.hpp"
#include "checks/check.hpp"
#include "checks/compare.hpp"
#include "checks/intervals.hpp"

namespace seedgate::checks {

// One variant's values split into strata (tasks, datasets, folds):
// strata[t][i] is seed i's value on stratum t. Strata may hold different
// numbers of seeds; none may be empty.
using Strata = std::vector<std::vector<double>>;

// ---------------------------------------------------------------------------
// IQM with a stratified bootstrap interval.

struct IqmResult {
  double estimate = 0;  // interquartile_mean of every value of every stratum pooled
  Interval interval;    // percentile interval of the stratified bootstrap
  std::size_t values = 0;
};
// rliable's aggregate IQM: scipy.stats.trim_mean(all values, 0.25). The
// bootstrap resamples seeds with replacement within each stratum (rliable's
// StratifiedBootstrap), so every replicate keeps each stratum's size. Needs
// one stratum or more with two values or more in total.
IqmResult stratified_iqm(const Strata& strata, double level, const BootstrapOptions& options = {});

// ---------------------------------------------------------------------------
// Probability of improvement.

// P(X better than Y) + P(X = Y)/2 on one stratum: the Mann–Whitney U of x over
// y divided by n m (ties count 1/2). For Goal::minimize, "better" is smaller.
double improvement_probability(std::span<const double> x, std::span<const double> y, Goal goal);

// The share of seeds on which x beats y, ties counting 1/2, when x[i] and
// y[i] come from the same seed. Throws when the lengths differ.
double paired_improvement_probability(std::span<const double> x, std::span<const double> y, Goal goal);

struct ImprovementResult {
  double probability = 0.5;  // averaged over strata, each stratum weighing the same (rliable)
  Interval interval;         // percentile bootstrap
  std::size_t strata = 0;
};
// Unpaired (rliable's probability_of_improvement): x and y hold the same
// number of strata; within each stratum x's and y's seeds are resampled
// independently (rliable's StratifiedIndependentBootstrap).
ImprovementResult probability_of_improvement(const Strata& x, const Strata& y, Goal goal, double level,
                                             const BootstrapOptions& options = {});
// Paired: x[t][i] and y[t][i] come from the same seed. Each stratum's seeds
// are resampled, the same indices on both sides.
ImprovementResult paired_probability_of_improvement(const Strata& x, const Strata& y, Goal goal, double level,
                                                    const BootstrapOptions& options = {});

// ---------------------------------------------------------------------------
// Paired per-seed differences and non-inferiority.

// x and y ran the same seeds (x[i] and y[i] from seed i). `improvement` is the
// paired t test (compare.hpp) of x's improvement over y: x - y for
// Goal::maximize, y - x for Goal::minimize, so a positive difference always
// favours x. Its interval is two-sided at level 2 confidence - 1, so its lower
// end is the one-sided lower confidence bound at `confidence`.
// The t bound assumes differences near symmetric: when x now and then loses
// by far more than usual (a long tail against x), small samples miss the tail
// and the verdict passes too often (simulated in variants_test: 23% instead of
// 5% at 3 and 5 seeds); a judge should show the probability of improvement
// and the ranks beside it.
struct PairedDifferences {
  PairedResult improvement;
  double margin = 0;
  double confidence = 0;
  // One-sided p of H0: x is worse than y by the margin or more.
  double non_inferiority_p = 1;
  // The lower bound is above -margin: non_inferiority_p < 1 - confidence.
  bool non_inferior = false;
  // The lower bound is above 0: x is better than y at that confidence.
  bool superior = false;
};
// Needs two seeds or more; margin >= 0; confidence in (0.5, 1).
PairedDifferences paired_differences(std::span<const double> x, std::span<const double> y, Goal goal, double margin,
                                     double confidence);

// ---------------------------------------------------------------------------
// Ranks per seed and the single-seed tuning trap.

// values[v][s] is variant v's value on seed s; every variant ran the same
// seeds. The result has the same shape: ranks[v][s] is variant v's rank among
// the variants on seed s, 1 the best, ties given their average rank. Needs
// one variant or more, each with the same number (>= 1) of seeds.
std::vector<std::vector<double>> ranks_per_seed(const std::vector<std::vector<double>>& values, Goal goal);

// Which variant wins each seed against which wins on average. Tuning on one
// seed picks that seed's winner; when it is not the variant best on the mean,
// the seed misleads.
struct TuningTrap {
  std::vector<double> means;                      // per variant
  std::vector<double> mean_ranks;                 // per variant, over seeds
  std::size_t best_on_mean = 0;                   // ties: the first such variant
  std::vector<std::vector<std::size_t>> winners;  // per seed, the variants that win it (several on a tie)
  std::vector<double> wins;                       // per variant; a seed won by k variants counts 1/k to each
  std::vector<double> win_share;                  // wins / seeds
  std::vector<std::size_t> trap_seeds;            // seeds best_on_mean does not win (ascending indices)
  bool trapped() const { return !trap_seeds.empty(); }
};
TuningTrap tuning_trap(const std::vector<std::vector<double>>& values, Goal goal);

// One line for a report, naming the first trap seed: "seed 0 picks lr-0.1,
// but lr-0.01 is best on average (wins 7 of 10 seeds)". `names` has one entry
// per variant and `seeds` one per seed (the seeds' values, not indices).
// Empty when not trapped.
std::string describe_tuning_trap(const TuningTrap& trap, const std::vector<std::string>& names,
                                 const std::vector<std::int64_t>& seeds);

// ---------------------------------------------------------------------------
// Nadeau–Bengio corrected resampled t.

// Nadeau & Bengio (2003), "Inference for the Generalization Error", Machine
// Learning 52: with J resamples (or folds) whose training sets overlap, the
// variance of the mean of the per-resample values is not s^2/J but about
// (1/J + n_test/n_train) s^2. The factor is that bracket. `test_train_ratio`
// is n_test/n_train (1/(k-1) for k-fold cross-validation). Needs J >= 1 and a
// ratio >= 0.
double nadeau_bengio_factor(std::size_t resamples, double test_train_ratio);

// n_test/n_train from the test set's share of the data, f / (1 - f); f in [0, 1).
double test_train_ratio(double test_fraction);

struct CorrectedResampledT {
  double mean = 0;
  double std = 0;             // sample std of the per-resample values (n - 1)
  double factor = 0;          // nadeau_bengio_factor
  double standard_error = 0;  // sqrt(factor) * std
  double df = 0;              // J - 1
  Interval interval;          // mean -/+ t(df) * standard_error at `level`
};
// Needs two values or more.
CorrectedResampledT corrected_resampled_t(std::span<const double> values, double test_train_ratio, double level);

// ---------------------------------------------------------------------------
// Crossed random effects: seed x fold with replicates.

struct ComponentEstimate {
  double variance = 0;  // the method-of-moments estimate, truncated at 0
  double raw = 0;       // before truncation (unbiased; may be negative)
  bool truncated = false;
  double share = 0;  // variance / the sum of the truncated components
};

// Two-way crossed random-effects analysis of variance with interaction, for a
// balanced design: y_ijk = mu + seed_i + fold_j + (seed x fold)_ij + run_ijk
// (Searle, Casella & McCulloch 1992, "Variance Components", ch. 4). The
// components come from the expected mean squares:
//   run         = MS_E
//   interaction = (MS_AB - MS_E) / r
//   seed        = (MS_A - MS_AB) / (b r)
//   fold        = (MS_B - MS_AB) / (a r)
// With one replicate per cell the interaction cannot be told from run-to-run
// noise: `interaction_separable` is false, `interaction` is zero and `run`
// holds both (MS_AB).
struct CrossedComponents {
  ComponentEstimate seed;
  ComponentEstimate fold;
  ComponentEstimate interaction;
  ComponentEstimate run;
  bool interaction_separable = false;
  std::size_t seeds = 0;       // a
  std::size_t folds = 0;       // b
  std::size_t replicates = 0;  // r
  double ms_seed = 0, ms_fold = 0, ms_interaction = 0, ms_run = 0;
};
// cells[i][j] holds the r replicates of seed i on fold j. Needs two seeds,
// two folds, and the same r >= 1 in every cell.
CrossedComponents crossed_components(const std::vector<std::vector<std::vector<double>>>& cells);

// ---------------------------------------------------------------------------
// Variance shares of one-at-a-time seed sources.

// The runs where only `source` varied (e.g. "order": only the data order's
// seed changed, every other seed held).
struct SourceSample {
  std::string source;
  std::vector<double> values;
};

struct SourceShare {
  std::string source;
  double observed = 0;  // the sample variance of its runs (n - 1)
  double variance = 0;  // observed less the run-to-run part, truncated at 0
  bool truncated = false;
  double share = 0;  // variance / total
  std::size_t runs = 0;
};

struct VarianceShares {
  std::vector<SourceShare> sources;  // in the order given
  bool has_run_to_run = false;
  SourceShare run_to_run;  // source "run-to-run": nondeterminism with every seed fixed
  double total = 0;        // the sum of the sources' variances and the run-to-run part
};
// Each source's sample variance holds its own variance plus the run-to-run
// noise; `repeats` (groups of runs repeated with every seed fixed, each group
// one configuration) estimate that noise as their pooled within-group
// variance, which is taken off every source and reported as a share of its
// own. Without repeats, shares are of the summed sample variances. Each
// source needs two values or more; each repeat group two or more. When
// nothing varies, every share is 0.
VarianceShares variance_shares(const std::vector<SourceSample>& sources,
                               const std::vector<std::vector<double>>& repeats = {});

}  // namespace seedgate::checks
