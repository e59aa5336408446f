#pragma once
// The shape every check kind is judged in: `evaluate` splits the selected
// runs into groups (one per mode, device, thread count and variant, per mode
// for kinds that compare configurations, or every variant together for kinds
// that compare variants) and calls the kind's judge once per
// group. A judge reads its own spec and the Group, and records statistics and
// findings through it; the Group keeps the verdict rules (a failure wins over
// an error, an error over inconclusive) in one place.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checks/check.hpp"

namespace seedgate::checks {

struct GroupKey {
  std::string mode;
  std::string device;
  int threads = 0;
  std::string variant = {};  // each variant is judged on its own
  std::string source = {};   // [sweep] vary: each varied source's runs on their own
  int fold = -1;             // kinds that compare runs exactly compare them within a fold; -1: every fold together
  auto operator<=>(const GroupKey&) const = default;
  // "mode=deterministic, device=cpu, threads=2", leaving out what is unset.
  std::string label() const;
};

// One metric over a group's runs.
struct SeedValues {
  std::vector<std::int64_t> seeds;
  std::vector<double> per_seed;              // mean over the seed's repeats
  std::vector<std::vector<double>> by_seed;  // every repeat's value, per seed
  double worst = 0;
  std::int64_t worst_seed = 0;
  int worst_repeat = 0;
  std::vector<std::string> non_finite;  // "seed 3 repeat 0 (nan)"
  std::vector<std::string> missing;     // "seed 3 repeat 0"
};

SeedValues collect_values(std::span<const Observation* const> runs, const std::string& metric, Goal goal);

// An earlier sweep's runs in the same group as this sweep's.
struct PastGroup {
  const PastSweep* sweep = nullptr;
  std::vector<const Observation*> runs;
};

class Group {
 public:
  // `baseline`: the baseline's runs in the same group, null when it has none
  // (only kinds that read a baseline look at it).
  // `lost`: the group's runs that crashed or timed out (Observation::lost).
  Group(const CheckSpec& spec, GroupKey key, std::vector<const Observation*> runs, std::vector<const Observation*> lost,
        const std::vector<const Observation*>* baseline, CheckOutcome& outcome);

  const CheckSpec& spec() const { return m_spec; }
  const GroupKey& key() const { return m_key; }
  std::string label() const { return m_key.label(); }
  // Sorted by seed, then repeat.
  std::span<const Observation* const> runs() const { return m_runs; }
  // Runs that ended without results, sorted by seed, then repeat.
  std::span<const Observation* const> lost() const { return m_lost; }
  // "seed 3 repeat 0 (crashed: exit status 1)" for each lost run.
  std::vector<std::string> describe_lost() const;
  const std::vector<const Observation*>* baseline() const { return m_baseline; }
  // Earlier sweeps' runs in this group, oldest first (drift checks); a sweep
  // with no run in the group is left out.
  std::span<const PastGroup> history() const { return m_history; }
  void set_history(std::vector<PastGroup> history) { m_history = std::move(history); }

  // The check's metric over this group's runs.
  SeedValues values() const;
  // The std of one run: with repeats, the seed-to-seed and run-to-run parts
  // together (modified large-sample interval); without, the seeds' std
  // (chi-square interval). The interval is at the check's confidence.
  SingleRunStd single_run_std(const SeedValues& values) const;
  // The step the metric's values are rounded to: the policy's `resolution`,
  // or inferred from the values' decimals (0: continuous).
  double resolution(const SeedValues& values) const;
  // Missing or non-finite values are failures of the training program: the
  // check fails naming the runs. True when the values cannot be judged.
  bool reject_bad_values(const SeedValues& values);
  // Confidence bounds need two seeds; an error names the bound otherwise.
  bool enough_for_confidence(std::size_t n, const std::string& what);
  // An error for each listed artifact no run of the group reported.
  void require_artifacts(const std::vector<std::string>& artifacts);

  void fail(std::string message);
  void error(std::string message);
  void inconclusive(std::string message);
  // Context that does not change the verdict ("paired by seed").
  void note(std::string message);

  // A statistic judged as observed against `bound` (none: it passes).
  void statistic(std::string name, double value, std::optional<Bound> bound, bool passed);
  // A statistic reported for information: no bound, never a verdict.
  void information(std::string name, double value, std::optional<Interval> interval = std::nullopt);
  // A statistic judged by its interval: pass when all of it meets the bound,
  // fail when none does, inconclusive when it straddles it; says why when it
  // is not a pass. `context` follows the value in messages ("over seeds 0..7");
  // `at_least`: the bound is a floor, otherwise a ceiling.
  void judged(const std::string& name, const std::string& context, double value, const Interval& interval,
              const Bound& bound, bool at_least);
  // A statistic with a verdict of its own (TOST's difference against +-margin).
  void verdict_statistic(std::string name, double value, Bound bound, Interval interval, Verdict verdict);
  // The first repeat of each seed: one model per seed.
  std::vector<const Observation*> first_repeats() const;
  // `runs`' predictions aligned by example id, members labelled "seed 3"
  // (with `repeats`, "seed 3 repeat 1"). An error on the group, and
  // nullopt, when a run has none or they do not align.
  std::optional<PredictionSet> predictions(std::span<const Observation* const> runs, bool repeats = false);
  // This group's detail of a predictions check (created on first use).
  PredictionDetail& detail();

 private:
  const CheckSpec& m_spec;
  GroupKey m_key;
  std::vector<const Observation*> m_runs;
  std::vector<const Observation*> m_lost;
  const std::vector<const Observation*>* m_baseline;
  std::vector<PastGroup> m_history;
  CheckOutcome& m_outcome;
};

// Shared by the judges.
std::string short_number(double value);
// Two-sided level whose ends are one-sided bounds at `confidence`.
double two_sided_level(double confidence);
// "95% bounds [0.946, 0.955]".
std::string describe_interval(const Interval& interval, double confidence);
// True when `value` satisfies the bound for the metric's goal.
bool within(const Bound& bound, double value, Goal goal);
const char* breach_word(Goal goal);
bool metric_equal(double a, double b, double atol, double rtol);
// An empty filter takes everything.
bool wanted(const std::vector<std::string>& filter, const std::string& name);

// The judges, one per kind (each in its kind's file).
void judge_threshold(const ThresholdSpec& spec, Group& group);
void judge_variance(const VarianceSpec& spec, Group& group);
void judge_reproducibility(const ReproducibilitySpec& spec, Group& group);
void judge_seed_sensitivity(const SeedSensitivitySpec& spec, Group& group);
void judge_regression(const RegressionSpec& spec, Group& group);
void judge_consistency(const ConsistencySpec& spec, Group& group);
void judge_failures(const FailuresSpec& spec, Group& group);
void judge_ensemble(const EnsembleSpec& spec, Group& group);
void judge_churn(const ChurnSpec& spec, Group& group);
void judge_compare(const CompareSpec& spec, Group& group);
void judge_drift(const DriftSpec& spec, Group& group);

}  // namespace seedgate::checks
