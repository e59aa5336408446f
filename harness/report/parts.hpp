#pragma once
// Pieces the report renderers share (console, JUnit, Markdown, HTML,
// annotations): labels, the per-seed distributions, feature importance,
// verdict words.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checks/importance.hpp"
#include "checks/variants.hpp"
#include "harness/results.hpp"

namespace seedgate::report_parts {

struct SeedValue {
  std::int64_t seed;
  double value;  // mean over the seed's repeats
};

// How stable the feature-importance ranking is across seeds, in one group.
struct ImportanceGroup {
  std::string group;
  std::string kind;  // "gain", ...
  checks::ImportanceStability stability;
};

// Per group, from the first passed run of each seed that reported importance.
std::vector<ImportanceGroup> importance_groups(const SweepResults& results);
// Rows of the importance tables.
inline constexpr std::size_t kImportanceRows = 10;
// "3" or "2–5": the ranks a feature took across seeds.
std::string rank_range(const checks::FeatureStanding& f);
// "8 seeds, Kendall's tau mean 0.912, min 0.800 (seeds 1 and 4); 6 features in some seed's top 5".
std::string importance_headline(const ImportanceGroup& g);

// Where a metric's spread across seeds comes from, with [sweep] vary: each
// source's share of the variance (the runs where only it varied), and the
// run-to-run part where repeats measured it.
struct SourceShareGroup {
  std::string metric;
  std::string group;  // without the source
  checks::VarianceShares shares;
};
std::vector<SourceShareGroup> source_shares(const SweepResults& results);
// "70% of the spread comes from the data order; initialisation 25%, the
// train/test split 5%, run-to-run 0%".
std::string source_share_line(const SourceShareGroup& g);

// With a folds axis: the metric's variance split into seed, fold, seed x fold
// and run-to-run parts (crossed random effects over a balanced design: the
// seeds that ran every fold the same number of times).
struct FoldComponents {
  std::string metric;
  std::string group;
  checks::CrossedComponents components;
};
std::vector<FoldComponents> fold_components(const SweepResults& results);
// "variance: fold 70%, seed 20%, run-to-run 10% (seed x fold not separable without repeats)".
std::string fold_components_line(const FoldComponents& c);

// A metric over one group's seeds, as a paper or a model card quotes it, and
// what its best seed says about a fresh one.
struct SeedSummary {
  std::string metric;
  std::string group;
  std::size_t seeds = 0;
  double mean = 0;
  double std = 0;
  checks::Interval mean_interval;  // 95% t interval for the mean
  // With a goal and two seeds or more: the best seed, a fresh seed's
  // expectation and prediction interval, the optimism of the best of n.
  std::optional<checks::BestSeed> best;
};
// Every metric with a value, per group, in distributions() order.
std::vector<SeedSummary> seed_summaries(const SweepResults& results);
// "0.912 ± 0.011 over 10 seeds, 95% CI [0.904, 0.920]".
std::string mean_std_line(const SeedSummary& s);
// "best seed 7: 0.934; a fresh seed is expected to score 0.912 (95% prediction interval [0.887, 0.937]); the best
// of 10 seeds overstates by 1.5388 std = 0.017 on average".
std::string best_seed_line(const SeedSummary& s);
// [report] best_seed_report: "seed 7 scored 0.934; a fresh seed is expected to
// score 0.912 (95% prediction interval [0.887, 0.937]); choosing it by this
// sweep overstates by 0.022 (the best of 10 seeds is expected to overstate by
// 1.539 std = 0.017)".
std::string best_seed_warning(const SeedSummary& s);

// A predictions check's detail in words: "an ensemble of 4 seeds buys 95% of
// the gain of all 10"; "churn per class: 0 2.1% (50 examples), ...".
std::string curve_line(const checks::PredictionDetail& d);
std::string per_class_line(const checks::PredictionDetail& d);
// "ensemble-size curve (seeds: score [5th, 95th percentile]): 1 0.911 [0.906, 0.917]; 2 0.912 [...]; ...".
std::string curve_points(const checks::PredictionDetail& d);
// A prediction in a report: a class as a whole number, a value in 6 digits.
std::string prediction_text(double value);

// seeds.csv: one row per run (seed, mode, device, threads, repeat, status,
// each metric, each artifact digest), the file a paper's appendix or a model
// card quotes.
std::string seeds_csv(const SweepResults& results);

// "mode=deterministic, device=cpu" (", threads=2" with a threads axis).
std::string group_label(const RunSpec& run);
// metric -> group -> per-seed values, from runs that passed.
std::map<std::string, std::map<std::string, std::vector<SeedValue>>> distributions(const SweepResults& results);
// "PASS", "FAIL", "INCONCLUSIVE", "ERROR".
std::string verdict_word(checks::Verdict verdict);
// A sweep's: "PASS", "FAIL", or "ERROR" (no verdict or an unjudged shard too).
std::string verdict_word(SweepVerdict verdict);
// Why a sweep's verdict is ERROR, for its headline: "could not evaluate: FIRST
// ERROR (and N more errors)" from `errors`, and "K of M checks could not be
// judged: NAMES (the first one's first message)" from the checks that count
// as errors, joined by "; ".
std::string error_reason(const SweepResults& results, const std::vector<std::string>& errors);
// "16 runs (16 passed)".
std::string run_summary(const SweepResults& results);
// The last `count` non-empty lines of a failed run's stderr tail (lines end
// at "\n" or "\r"), each made printable and cut to `width` bytes: what a
// report shows of why the run failed.
std::vector<std::string> last_lines(const std::string& tail, std::size_t count, std::size_t width = 200);
inline constexpr std::size_t kConsoleStderrLines = 5;
inline constexpr std::size_t kReportStderrLines = 10;
// The failed runs a report shows in full (the rest are counted).
inline constexpr std::size_t kShownFailures = 3;
// "3 shards: 1/3 on host-a (12.0s), ...".
std::string describe_shards(const std::vector<ShardInfo>& shards);
// A value in 6 significant digits; "0" for one so small beside `scale` (the
// magnitude of what it is shown with) that it is floating-point rounding.
std::string number(double value, double scale);
inline constexpr double kRoundingNoise = 1e-12;
// "95% bounds [0.946, 0.955]".
std::string format_interval(const checks::Interval& interval);
// "mean 0.951, 95% bounds [0.946, 0.955], mean_at_least 0.95: pass".
// `scale`: the largest magnitude among the check's statistics (check_scale),
// so "seed_std 4e-18" beside "std 0.05" reads 0.
std::string format_statistic(const checks::Statistic& statistic, double scale = 0);
double check_scale(const checks::CheckOutcome& outcome);
// "FAIL", or "INCONCLUSIVE (counted as fail)".
std::string check_verdict(const CheckResult& check);

}  // namespace seedgate::report_parts
