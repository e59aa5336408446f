#pragma once
// Check kinds and their evaluation. A check judges one metric (or the run's
// digests) over the runs that pass its filter of modes, devices and thread
// counts. Each (mode, device, threads) combination is judged on its own: a
// deterministic-mode distribution and a default-mode one are different
// populations. Verdicts here judge point estimates.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

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
};

enum class CheckKind { threshold, variance, reproducibility, seed_sensitivity, regression };

// A bound as the policy wrote it: `key` is the policy's name for it
// ("mean_at_least"), used verbatim in messages.
struct Bound {
  std::string key;
  double value = 0;
};

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
  double atol = 0;                      // reproducibility: metrics equal within atol + rtol * |reference|
  double rtol = 0;
  std::vector<std::string> artifacts;  // reproducibility / seed-sensitivity: empty means all
  double margin = 0;                   // regression: how much worse than the baseline's mean is still acceptable
};

enum class Verdict { pass, fail, error };
const char* to_string(Verdict verdict);
const char* to_string(CheckKind kind);

struct Statistic {
  std::string group;  // "mode=default, device=cpu"
  std::string name;   // "mean", "worst", "std", "range", "cv"
  double value = 0;
  std::optional<Bound> bound;
  bool passed = true;
};

struct CheckOutcome {
  std::string name;
  CheckKind kind = CheckKind::threshold;
  std::string metric;
  Verdict verdict = Verdict::pass;
  std::vector<std::string> messages;  // why it failed or could not be judged
  std::vector<Statistic> statistics;  // what it computed, pass or fail
  std::vector<std::int64_t> seeds;    // seeds judged, sorted
};

// `baseline` holds the baseline's runs; only regression checks read it.
CheckOutcome evaluate(const CheckSpec& spec, std::span<const Observation> observations,
                      std::span<const Observation> baseline = {});

// "0..7" for a contiguous run, "1, 5, 9" otherwise.
std::string describe_seeds(std::span<const std::int64_t> seeds);

}  // namespace seedgate::checks
