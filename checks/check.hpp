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
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checks/bootstrap.hpp"
#include "checks/intervals.hpp"

namespace seedgate::checks {

enum class Goal { maximize, minimize };

// One finished run as the checks see it.
struct Observation {
  std::int64_t seed = 0;
  std::string mode;
  std::string device;
  int threads = 0;  // 0: the sweep has no threads axis
  int repeat = 0;
  std::map<std::string, double> metrics;
  std::map<std::string, std::string> digests;  // artifact name -> "xxh3:..."
  // Set when the run stopped on an op with no deterministic implementation
  // ("put_ does not have a deterministic implementation"): it has no results,
  // and reproducibility checks that select it fail on it.
  std::string violation;
};

enum class CheckKind { threshold, variance, reproducibility, seed_sensitivity, regression, consistency };

// A bound as the policy wrote it: `key` is the policy's name for it
// ("mean_at_least"), used verbatim in messages.
struct Bound {
  std::string key;
  double value = 0;
};

// How `worst_*` is judged with confidence: the normal tolerance bound (exact
// noncentral-t factor) or order statistics, which assume no distribution.
enum class Tolerance { normal, nonparametric };

// What a regression check asks of the candidate: no worse than the baseline by
// more than the margin, or within the margin either way (TOST).
enum class Comparison { non_inferiority, equivalence };

struct CheckSpec {
  std::string name;  // unique within the policy, e.g. "threshold-accuracy"
  CheckKind kind = CheckKind::threshold;
  std::string metric;  // empty: reproducibility / seed-sensitivity judge digests and every metric
  Goal goal = Goal::maximize;
  std::vector<std::string> modes;       // empty: every mode
  std::vector<std::string> devices;     // empty: every device
  std::vector<int> threads;             // empty: every thread count
  std::optional<Bound> mean;            // threshold
  std::optional<Bound> worst;           // threshold
  std::optional<double> std_at_most;    // variance
  std::optional<double> range_at_most;  // variance
  std::optional<double> cv_at_most;     // variance
  double atol = 0;                      // reproducibility, consistency: metrics equal within atol + rtol * |reference|
  double rtol = 0;
  // reproducibility / seed-sensitivity: empty means all; consistency: digests
  // that must also match across devices and thread counts (empty: none).
  std::vector<std::string> artifacts;
  double margin = 0;  // regression: how much worse than the baseline's mean is still acceptable
  Comparison comparison = Comparison::non_inferiority;  // regression
  // One-sided confidence of each bound at this look (a sequential sweep's
  // looks each get a share of 1 - confidence). nullopt: point estimates.
  std::optional<double> confidence;
  double coverage = 0.9;  // threshold `worst_*` with confidence: share of seeds that must meet the bound
  Tolerance tolerance = Tolerance::normal;
  BootstrapOptions bootstrap;  // variance `cv_at_most` with confidence
};

// fail wins over error, error over inconclusive, inconclusive over pass.
enum class Verdict { pass, fail, inconclusive, error };
const char* to_string(Verdict verdict);
const char* to_string(CheckKind kind);

struct Statistic {
  std::string group;  // "mode=default, device=cpu"
  std::string name;   // "mean", "worst", "q10", "std", "range", "cv", "worse_by", ...
  double value = 0;
  std::optional<Bound> bound;        // none: reported for information
  std::optional<Interval> interval;  // the interval judged against the bound, when confidence is set
  Verdict verdict = Verdict::pass;
};

struct CheckOutcome {
  std::string name;
  CheckKind kind = CheckKind::threshold;
  std::string metric;
  Verdict verdict = Verdict::pass;
  std::vector<std::string> messages;  // why it failed or could not be judged
  std::vector<Statistic> statistics;  // what it computed, pass or fail
  std::vector<std::int64_t> seeds;    // seeds judged, sorted
  std::optional<double> confidence;   // one-sided confidence each bound was judged at
  std::vector<std::string> notes;     // context that does not change the verdict
};

// Whether the check's filter of modes, devices and thread counts takes `o`.
bool selects(const CheckSpec& spec, const Observation& o);

// `baseline` holds the baseline's runs; only regression checks read it.
CheckOutcome evaluate(const CheckSpec& spec, std::span<const Observation> observations,
                      std::span<const Observation> baseline = {});

// "0..7" for a contiguous run, "1, 5, 9" otherwise.
std::string describe_seeds(std::span<const std::int64_t> seeds);

}  // namespace seedgate::checks
