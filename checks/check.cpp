#include "checks/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "checks/compare.hpp"
#include "checks/stats.hpp"
#include "util/strings.hpp"

namespace seedgate::checks {

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return "pass";
    case Verdict::fail:
      return "fail";
    case Verdict::inconclusive:
      return "inconclusive";
    case Verdict::error:
      return "error";
  }
  return "?";
}

const char* to_string(CheckKind kind) {
  switch (kind) {
    case CheckKind::threshold:
      return "threshold";
    case CheckKind::variance:
      return "variance";
    case CheckKind::reproducibility:
      return "reproducibility";
    case CheckKind::seed_sensitivity:
      return "seed-sensitivity";
    case CheckKind::regression:
      return "regression";
    case CheckKind::consistency:
      return "consistency";
  }
  return "?";
}

std::string describe_seeds(std::span<const std::int64_t> seeds) {
  if (seeds.empty()) return "none";
  bool contiguous = seeds.size() > 2;
  for (std::size_t i = 1; i < seeds.size() && contiguous; ++i) contiguous = seeds[i] == seeds[i - 1] + 1;
  if (contiguous) return fmt::format("{}..{}", seeds.front(), seeds.back());
  return fmt::format("{}", fmt::join(seeds, ", "));
}

namespace {

// A failure wins over an error: a check that failed in one group and could not
// be judged in another has failed.
void add_failure(CheckOutcome& outcome, std::string message) {
  outcome.verdict = Verdict::fail;
  outcome.messages.push_back(std::move(message));
}

void add_error(CheckOutcome& outcome, std::string message) {
  if (outcome.verdict != Verdict::fail) outcome.verdict = Verdict::error;
  outcome.messages.push_back(std::move(message));
}

void add_inconclusive(CheckOutcome& outcome, std::string message) {
  if (outcome.verdict == Verdict::pass) outcome.verdict = Verdict::inconclusive;
  outcome.messages.push_back(std::move(message));
}

struct GroupKey {
  std::string mode;
  std::string device;
  int threads = 0;
  auto operator<=>(const GroupKey&) const = default;
  // "mode=deterministic, device=cpu, threads=2", leaving out what is unset.
  std::string label() const {
    std::vector<std::string> parts;
    if (!mode.empty()) parts.push_back("mode=" + mode);
    if (!device.empty()) parts.push_back("device=" + device);
    if (threads > 0) parts.push_back(fmt::format("threads={}", threads));
    return util::join(parts, ", ");
  }
};

template <typename T>
bool allowed(const std::vector<T>& filter, const T& value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

using Groups = std::map<GroupKey, std::vector<const Observation*>>;

// Groups of runs judged together: one per (mode, device, threads), or per mode
// for a consistency check, which compares devices and thread counts. A run
// stopped by a determinism violation has no results; only reproducibility
// checks look at it.
Groups group_observations(const CheckSpec& spec, std::span<const Observation> observations) {
  Groups groups;
  for (const Observation& o : observations) {
    if (!selects(spec, o)) continue;
    if (!o.violation.empty() && spec.kind != CheckKind::reproducibility) continue;
    if (spec.kind == CheckKind::consistency)
      groups[{o.mode, "", 0}].push_back(&o);
    else
      groups[{o.mode, o.device, o.threads}].push_back(&o);
  }
  for (auto& [key, runs] : groups) {
    std::sort(runs.begin(), runs.end(), [](const Observation* a, const Observation* b) {
      return std::tie(a->seed, a->repeat) < std::tie(b->seed, b->repeat);
    });
  }
  return groups;
}

std::string short_number(double value) {
  return fmt::format("{:.6g}", value);
}

// True when `value` satisfies the bound for the metric's goal.
bool within(const Bound& bound, double value, Goal goal) {
  if (!std::isfinite(value)) return false;
  return goal == Goal::maximize ? value >= bound.value : value <= bound.value;
}

const char* breach_word(Goal goal) {
  return goal == Goal::maximize ? "below" : "above";
}

struct SeedValues {
  std::vector<std::int64_t> seeds;
  std::vector<double> per_seed;              // mean over the seed's repeats
  std::vector<std::vector<double>> by_seed;  // every repeat's value, per seed
  double worst = 0;
  std::int64_t worst_seed = 0;
  int worst_repeat = 0;
  std::vector<std::string> non_finite;  // "seed 3 repeat 0"
  std::vector<std::string> missing;
};

SeedValues collect_values(const std::vector<const Observation*>& runs, const std::string& metric, Goal goal) {
  SeedValues out;
  bool first = true;
  std::map<std::int64_t, std::vector<double>> by_seed;
  for (const Observation* o : runs) {
    auto it = o->metrics.find(metric);
    std::string where = fmt::format("seed {} repeat {}", o->seed, o->repeat);
    if (it == o->metrics.end()) {
      out.missing.push_back(where);
      continue;
    }
    double v = it->second;
    by_seed[o->seed].push_back(v);
    if (!std::isfinite(v)) {
      out.non_finite.push_back(fmt::format("{} ({})", where, util::format_number(v)));
      continue;
    }
    bool worse = goal == Goal::maximize ? v < out.worst : v > out.worst;
    if (first || worse) {
      out.worst = v;
      out.worst_seed = o->seed;
      out.worst_repeat = o->repeat;
      first = false;
    }
  }
  for (auto& [seed, values] : by_seed) {
    out.seeds.push_back(seed);
    double sum = 0;
    for (double v : values) sum += v;
    out.per_seed.push_back(sum / static_cast<double>(values.size()));
    out.by_seed.push_back(std::move(values));
  }
  return out;
}

void add_statistic(CheckOutcome& outcome, const GroupKey& key, std::string name, double value,
                   std::optional<Bound> bound, bool passed) {
  outcome.statistics.push_back(
      {key.label(), std::move(name), value, std::move(bound), std::nullopt, passed ? Verdict::pass : Verdict::fail});
}

void add_information(CheckOutcome& outcome, const GroupKey& key, std::string name, double value,
                     std::optional<Interval> interval = std::nullopt) {
  outcome.statistics.push_back({key.label(), std::move(name), value, std::nullopt, interval, Verdict::pass});
}

// Missing or non-finite values make the statistics meaningless; they are failures
// of the training program, so the check fails and names the runs.
bool reject_bad_values(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key, const SeedValues& values) {
  if (!values.non_finite.empty()) {
    add_failure(outcome, fmt::format("{}: non-finite value in {} ({})", spec.metric, fmt::join(values.non_finite, ", "),
                                     key.label()));
  }
  if (!values.missing.empty()) {
    add_failure(outcome,
                fmt::format("{}: not reported by {} ({})", spec.metric, fmt::join(values.missing, ", "), key.label()));
  }
  return !values.non_finite.empty() || !values.missing.empty();
}

// Two-sided level whose ends are one-sided bounds at `confidence`.
double two_sided_level(double confidence) {
  return 2 * confidence - 1;
}

std::string describe_interval(const Interval& interval, double confidence) {
  return fmt::format("{:g}% bounds [{}, {}]", confidence * 100, short_number(interval.lower),
                     short_number(interval.upper));
}

// Judges an interval against a bound: pass when all of it meets the bound,
// fail when none of it does, inconclusive when it straddles the bound.
// `at_least`: the bound is a floor; otherwise a ceiling.
Verdict judge_interval(const Interval& interval, double bound, bool at_least) {
  if (at_least) {
    if (interval.lower >= bound) return Verdict::pass;
    return interval.upper < bound ? Verdict::fail : Verdict::inconclusive;
  }
  if (interval.upper <= bound) return Verdict::pass;
  return interval.lower > bound ? Verdict::fail : Verdict::inconclusive;
}

// Records a statistic judged by its interval and says why when it is not a pass.
// `context` follows the value in messages ("over seeds 0..7").
void add_judged(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key, const std::string& name,
                const std::string& context, double value, const Interval& interval, const Bound& bound, bool at_least) {
  Verdict verdict = judge_interval(interval, bound.value, at_least);
  outcome.statistics.push_back({key.label(), name, value, bound, interval, verdict});
  std::string judged = fmt::format("{}: {} {} {} ({})", spec.metric, name, short_number(value), context,
                                   describe_interval(interval, *spec.confidence));
  if (verdict == Verdict::fail) {
    add_failure(outcome, fmt::format("{} is {} {} {} ({})", judged, at_least ? "below" : "above", bound.key,
                                     short_number(bound.value), key.label()));
  } else if (verdict == Verdict::inconclusive) {
    add_inconclusive(outcome, fmt::format("{} straddles {} {}: cannot tell yet ({})", judged, bound.key,
                                          short_number(bound.value), key.label()));
  }
}

bool enough_for_confidence(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key, std::size_t n,
                           const char* what) {
  if (n >= 2) return true;
  add_error(outcome, fmt::format("{}: {} with confidence needs at least 2 seeds, got {} ({})", spec.metric, what, n,
                                 key.label()));
  return false;
}

// Confidence bounds for the lower `share` quantile of the seeds' distribution,
// from their values in ascending order.
Interval quantile_bounds(std::span<const double> sorted, double share, const CheckSpec& spec) {
  double confidence = *spec.confidence;
  double level = two_sided_level(confidence);
  std::size_t n = sorted.size();
  if (spec.tolerance == Tolerance::normal) {
    Summary s = summarize(sorted);
    double coverage = 1 - share;
    return {s.mean - normal_tolerance_factor(n, coverage, confidence) * s.std,
            s.mean - normal_tolerance_factor(n, coverage, 1 - confidence) * s.std, level};
  }
  auto lower = lower_order_rank(n, share, confidence);
  auto upper = upper_order_rank(n, share, confidence);
  constexpr double inf = std::numeric_limits<double>::infinity();
  return {lower ? sorted[*lower - 1] : -inf, upper ? sorted[*upper - 1] : inf, level};
}

std::string quantile_name(double share) {
  return fmt::format("q{:g}", share * 100);
}

// "With confidence c, a share `coverage` of seeds meets the worst bound":
// judged by bounds on the quantile that `coverage` of seeds lie beyond.
void judge_worst_with_confidence(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key,
                                 const SeedValues& values) {
  if (!enough_for_confidence(outcome, spec, key, values.per_seed.size(), spec.worst->key.c_str())) return;
  bool maximize = spec.goal == Goal::maximize;
  double share = 1 - spec.coverage;
  // For a metric to minimise, the quantile of interest is the upper one: judge the negated values.
  std::vector<double> sorted = values.per_seed;
  if (!maximize)
    for (double& v : sorted) v = -v;
  std::sort(sorted.begin(), sorted.end());
  Interval bounds = quantile_bounds(sorted, share, spec);
  double estimate;
  if (spec.tolerance == Tolerance::normal) {
    Summary s = summarize(sorted);
    estimate = s.mean + normal_quantile(share) * s.std;
  } else {
    estimate = quantile_of_sorted(sorted, share);
  }
  if (!maximize) {
    estimate = -estimate;
    bounds = {-bounds.upper, -bounds.lower, bounds.level};
  }
  std::string name = quantile_name(maximize ? share : 1 - share);
  std::string what =
      fmt::format("over seeds {}, {} bound for {:g}% of seeds", describe_seeds(values.seeds),
                  spec.tolerance == Tolerance::normal ? "normal tolerance" : "order-statistic", spec.coverage * 100);
  add_judged(outcome, spec, key, name, what, estimate, bounds, *spec.worst, maximize);
  // The share of seeds that met the bound, with its exact interval.
  std::size_t met = 0;
  for (double v : values.per_seed) met += within(*spec.worst, v, spec.goal);
  add_information(outcome, key, "share_meeting_" + spec.worst->key,
                  static_cast<double>(met) / static_cast<double>(values.per_seed.size()),
                  clopper_pearson(met, values.per_seed.size(), two_sided_level(*spec.confidence)));
}

void evaluate_threshold(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key, const SeedValues& values) {
  if (reject_bad_values(outcome, spec, key, values)) return;
  Summary summary = summarize(values.per_seed);
  if (spec.mean && spec.confidence) {
    if (enough_for_confidence(outcome, spec, key, values.per_seed.size(), spec.mean->key.c_str())) {
      Interval interval = mean_interval(values.per_seed, two_sided_level(*spec.confidence));
      add_judged(outcome, spec, key, "mean", fmt::format("over seeds {}", describe_seeds(values.seeds)), summary.mean,
                 interval, *spec.mean, spec.goal == Goal::maximize);
    }
  } else if (spec.mean) {
    bool ok = within(*spec.mean, summary.mean, spec.goal);
    add_statistic(outcome, key, "mean", summary.mean, spec.mean, ok);
    if (!ok) {
      add_failure(outcome, fmt::format("{}: mean {} over seeds {} is {} {} {} ({})", spec.metric,
                                       short_number(summary.mean), describe_seeds(values.seeds), breach_word(spec.goal),
                                       spec.mean->key, short_number(spec.mean->value), key.label()));
    }
  }
  if (spec.worst && spec.confidence) {
    judge_worst_with_confidence(outcome, spec, key, values);
  } else if (spec.worst) {
    bool ok = within(*spec.worst, values.worst, spec.goal);
    add_statistic(outcome, key, "worst", values.worst, spec.worst, ok);
    if (!ok) {
      add_failure(outcome,
                  fmt::format("{}: worst {} (seed {}, repeat {}) is {} {} {} ({})", spec.metric,
                              short_number(values.worst), values.worst_seed, values.worst_repeat,
                              breach_word(spec.goal), spec.worst->key, short_number(spec.worst->value), key.label()));
    }
  }
  if (spec.confidence && values.per_seed.size() >= 2) {
    add_information(outcome, key, "iqm", interquartile_mean(values.per_seed));
  }
}

// With repeats, the variance splits into a seed-to-seed part and a run-to-run
// part (nondeterminism with the seed fixed); both are reported as stds.
void report_variance_components(CheckOutcome& outcome, const GroupKey& key, const SeedValues& values) {
  auto components = variance_components(values.by_seed);
  if (!components) return;
  add_information(outcome, key, "seed_std", std::sqrt(components->between_seeds));
  add_information(outcome, key, "run_std", std::sqrt(components->within_seed));
}

void evaluate_variance(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key, const SeedValues& values) {
  if (reject_bad_values(outcome, spec, key, values)) return;
  if (values.per_seed.size() < 2) {
    add_error(outcome, fmt::format("{}: variance needs at least 2 seeds, got {} ({})", spec.metric,
                                   values.per_seed.size(), key.label()));
    return;
  }
  Summary summary = summarize(values.per_seed);
  std::string over = fmt::format("over seeds {}", describe_seeds(values.seeds));
  auto judge = [&](const char* name, double value, const std::optional<double>& limit, const char* key_name) {
    if (!limit) return;
    bool ok = value <= *limit;
    add_statistic(outcome, key, name, value, Bound{key_name, *limit}, ok);
    if (!ok) {
      add_failure(outcome, fmt::format("{}: {} {} {} exceeds {} {} ({})", spec.metric, name, short_number(value), over,
                                       key_name, short_number(*limit), key.label()));
    }
  };
  if (spec.std_at_most && spec.confidence) {
    Interval interval = std_interval(summary.std, summary.count, two_sided_level(*spec.confidence));
    add_judged(outcome, spec, key, "std", over, summary.std, interval, Bound{"std_at_most", *spec.std_at_most}, false);
  } else {
    judge("std", summary.std, spec.std_at_most, "std_at_most");
  }
  // The range is a property of the sample (it grows with the seed count), so
  // it is judged as observed even with confidence.
  judge("range", summary.range(), spec.range_at_most, "range_at_most");
  if (spec.cv_at_most && spec.confidence) {
    BootstrapResult boot =
        bootstrap(values.per_seed, BootStatistic::cv, two_sided_level(*spec.confidence), spec.bootstrap);
    add_judged(outcome, spec, key, "cv", over + ", bootstrap BCa", boot.estimate, boot.bca,
               Bound{"cv_at_most", *spec.cv_at_most}, false);
  } else {
    judge("cv", summary.cv(), spec.cv_at_most, "cv_at_most");
  }
  report_variance_components(outcome, key, values);
}

bool metric_equal(double a, double b, const CheckSpec& spec) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= spec.atol + spec.rtol * std::fabs(a);
}

bool wanted_artifact(const CheckSpec& spec, const std::string& name) {
  return allowed(spec.artifacts, name);
}

void evaluate_reproducibility(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key,
                              const std::vector<const Observation*>& runs) {
  std::map<std::int64_t, std::vector<const Observation*>> by_seed;
  bool violated = false;
  for (const Observation* o : runs) {
    if (o->violation.empty()) {
      by_seed[o->seed].push_back(o);
    } else {
      violated = true;
      add_failure(outcome, fmt::format("seed {} ({}): repeat {} stopped on a determinism violation: {}", o->seed,
                                       key.label(), o->repeat, o->violation));
    }
  }
  std::size_t compared = 0;
  for (const auto& [seed, repeats] : by_seed) {
    if (repeats.size() < 2) continue;
    ++compared;
    const Observation& reference = *repeats.front();
    for (std::size_t i = 1; i < repeats.size(); ++i) {
      const Observation& other = *repeats[i];
      std::string where = fmt::format("seed {} ({})", seed, key.label());
      for (const auto& [name, digest] : reference.digests) {
        if (!wanted_artifact(spec, name)) continue;
        auto it = other.digests.find(name);
        std::string theirs = it == other.digests.end() ? "missing" : it->second;
        if (theirs != digest) {
          add_failure(outcome, fmt::format("{}: artifact '{}' differs: repeat {} {} vs repeat {} {}", where, name,
                                           reference.repeat, digest, other.repeat, theirs));
        }
      }
      for (const auto& [name, value] : reference.metrics) {
        if (!spec.metric.empty() && name != spec.metric) continue;
        auto it = other.metrics.find(name);
        if (it == other.metrics.end()) {
          add_failure(outcome, fmt::format("{}: metric '{}' reported by repeat {} but not by repeat {}", where, name,
                                           reference.repeat, other.repeat));
        } else if (!metric_equal(value, it->second, spec)) {
          add_failure(outcome, fmt::format("{}: metric '{}' differs: repeat {} {} vs repeat {} {}", where, name,
                                           reference.repeat, util::format_number(value), other.repeat,
                                           util::format_number(it->second)));
        }
      }
    }
  }
  add_statistic(outcome, key, "seeds_compared", static_cast<double>(compared), std::nullopt, compared > 0);
  if (compared == 0 && !violated) {
    add_error(outcome,
              fmt::format("no seed has 2 finished repeats to compare ({}); set repeats >= 2 in [sweep]", key.label()));
  }
}

// Same seed, same mode, different devices or thread counts: each metric within
// atol + rtol * |reference| of the first configuration's (in the order
// device, threads), and the listed artifacts bitwise equal. The first repeat
// of each configuration stands for it.
void evaluate_consistency(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key,
                          const std::vector<const Observation*>& runs) {
  // A configuration is a GroupKey without the mode: "device=cpu, threads=2".
  std::map<std::int64_t, std::map<GroupKey, const Observation*>> by_seed;
  for (const Observation* o : runs) {
    const Observation*& slot = by_seed[o->seed][{"", o->device, o->threads}];
    if (!slot || o->repeat < slot->repeat) slot = o;
  }
  std::size_t compared = 0;
  std::map<std::string, double> max_difference;
  for (const auto& [seed, configs] : by_seed) {
    if (configs.size() < 2) continue;
    ++compared;
    const auto& [reference_config, reference] = *configs.begin();
    for (auto it = std::next(configs.begin()); it != configs.end(); ++it) {
      const auto& [config, other] = *it;
      std::string where = fmt::format("seed {} ({})", seed, key.label());
      for (const auto& [name, value] : reference->metrics) {
        if (!spec.metric.empty() && name != spec.metric) continue;
        auto found = other->metrics.find(name);
        if (found == other->metrics.end()) {
          add_failure(outcome, fmt::format("{}: metric '{}' reported with {} but not with {}", where, name,
                                           reference_config.label(), config.label()));
          continue;
        }
        double& worst = max_difference[name];
        worst = std::max(worst, std::fabs(value - found->second));
        if (!metric_equal(value, found->second, spec)) {
          add_failure(outcome, fmt::format("{}: metric '{}' differs: {} with {} vs {} with {} (allowed: {})", where,
                                           name, util::format_number(value), reference_config.label(),
                                           util::format_number(found->second), config.label(),
                                           util::format_number(spec.atol + spec.rtol * std::fabs(value))));
        }
      }
      for (const std::string& name : spec.artifacts) {
        auto mine = reference->digests.find(name), theirs = other->digests.find(name);
        std::string a = mine == reference->digests.end() ? "missing" : mine->second;
        std::string b = theirs == other->digests.end() ? "missing" : theirs->second;
        if (a != b || a == "missing") {
          add_failure(outcome, fmt::format("{}: artifact '{}' differs: {} with {} vs {} with {}", where, name, a,
                                           reference_config.label(), b, config.label()));
        }
      }
    }
  }
  add_statistic(outcome, key, "seeds_compared", static_cast<double>(compared), std::nullopt, compared > 0);
  for (const auto& [name, difference] : max_difference) {
    std::string statistic = spec.metric.empty() ? fmt::format("max_difference[{}]", name) : "max_difference";
    add_statistic(outcome, key, statistic, difference, std::nullopt, true);
  }
  if (compared == 0) {
    add_error(outcome, fmt::format("no seed ran on 2 or more devices or thread counts ({}); set threads = [1, 2] "
                                   "or devices = [\"cpu\", \"cuda\"] in [sweep]",
                                   key.label()));
  }
}

void evaluate_seed_sensitivity(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key,
                               const std::vector<const Observation*>& runs) {
  // One run per seed: its first repeat.
  std::map<std::int64_t, const Observation*> first;
  for (const Observation* o : runs) first.try_emplace(o->seed, o);
  if (first.size() < 2) {
    add_error(outcome, fmt::format("seed-sensitivity needs at least 2 seeds, got {} ({})", first.size(), key.label()));
    return;
  }
  bool judged = false;
  // Artifacts: two seeds with one digest means the seed did not reach the model.
  std::map<std::string, std::map<std::string, std::int64_t>> seen;  // artifact -> digest -> first seed
  for (const auto& [seed, o] : first) {
    for (const auto& [name, digest] : o->digests) {
      if (!wanted_artifact(spec, name)) continue;
      judged = true;
      auto [it, inserted] = seen[name].try_emplace(digest, seed);
      if (!inserted) {
        add_failure(outcome, fmt::format("seeds {} and {} produced the same artifact '{}' ({}) ({}): the "
                                         "program may ignore its seed",
                                         it->second, seed, name, digest, key.label()));
      }
    }
  }
  // Metrics: distinct seeds may tie on a coarse metric, so only all-equal fails.
  for (const auto& [name, value] : first.begin()->second->metrics) {
    if (!spec.metric.empty() && name != spec.metric) continue;
    if (spec.metric.empty() && !seen.empty()) continue;  // digests already decide
    judged = true;
    const std::string& metric_name = name;
    const double reference = value;
    bool all_same = std::all_of(first.begin(), first.end(), [&](const auto& entry) {
      auto it = entry.second->metrics.find(metric_name);
      return it != entry.second->metrics.end() && it->second == reference;
    });
    if (all_same) {
      add_failure(outcome, fmt::format("all {} seeds produced {} = {} ({}): the program may ignore its seed",
                                       first.size(), name, util::format_number(value), key.label()));
    }
  }
  add_statistic(outcome, key, "seeds_compared", static_cast<double>(first.size()), std::nullopt, judged);
  if (!judged) {
    add_error(outcome, fmt::format("no artifact or metric to compare across seeds ({})", key.label()));
  }
}

// The candidate against the baseline, per (mode, device, threads) group.
// Without confidence: the difference of means against the margin. With it:
// Welch's interval for the difference (non-inferiority, or TOST for
// equivalence). Mann–Whitney, the probability of improvement and
// Brunner–Munzel are reported beside it.
void evaluate_regression(CheckOutcome& outcome, const CheckSpec& spec, const GroupKey& key, const SeedValues& values,
                         const Groups& baseline_groups) {
  if (reject_bad_values(outcome, spec, key, values)) return;
  auto it = baseline_groups.find(key);
  if (it == baseline_groups.end()) {
    add_error(outcome, fmt::format("{}: the baseline has no runs for {}", spec.metric, key.label()));
    return;
  }
  SeedValues base = collect_values(it->second, spec.metric, spec.goal);
  if (base.per_seed.empty() || !base.non_finite.empty()) {
    add_error(outcome, fmt::format("{}: the baseline has no finite values for {}", spec.metric, key.label()));
    return;
  }
  // Oriented so that larger is better: `improvement` = candidate - baseline for "max".
  bool maximize = spec.goal == Goal::maximize;
  std::vector<double> x = values.per_seed, y = base.per_seed;
  if (!maximize) {
    for (double& v : x) v = -v;
    for (double& v : y) v = -v;
  }
  double candidate = summarize(values.per_seed).mean;
  double reference = summarize(base.per_seed).mean;
  double worse_by = maximize ? reference - candidate : candidate - reference;
  std::string over = fmt::format("over seeds {}", describe_seeds(values.seeds));
  bool equivalence = spec.comparison == Comparison::equivalence;
  if (spec.confidence) {
    if (x.size() < 2 || y.size() < 2) {
      add_error(outcome, fmt::format("{}: a comparison with confidence needs at least 2 seeds on each side, got {} "
                                     "and {} in the baseline ({})",
                                     spec.metric, x.size(), y.size(), key.label()));
      return;
    }
    WelchResult welch = welch_test(x, y, two_sided_level(*spec.confidence));
    add_information(outcome, key, "baseline_mean", reference);
    if (equivalence) {
      // TOST: equivalent when the interval for the difference lies inside +-margin.
      Interval d = welch.interval;
      Verdict verdict = d.lower >= -spec.margin && d.upper <= spec.margin ? Verdict::pass
                        : d.lower > spec.margin || d.upper < -spec.margin ? Verdict::fail
                                                                          : Verdict::inconclusive;
      outcome.statistics.push_back(
          {key.label(), "difference", welch.difference, Bound{"margin", spec.margin}, d, verdict});
      add_information(outcome, key, "tost_p", equivalence_p(welch, spec.margin));
      std::string judged = fmt::format(
          "{}: difference from the baseline mean {} {} against the baseline's {} seeds ({})", spec.metric,
          short_number(welch.difference), over, base.per_seed.size(), describe_interval(d, *spec.confidence));
      if (verdict == Verdict::fail)
        add_failure(outcome,
                    fmt::format("{} lies outside +-margin {} ({})", judged, short_number(spec.margin), key.label()));
      else if (verdict == Verdict::inconclusive)
        add_inconclusive(outcome, fmt::format("{} straddles +-margin {}: cannot tell yet ({})", judged,
                                              short_number(spec.margin), key.label()));
    } else {
      Interval worse{0.0 - welch.interval.upper, 0.0 - welch.interval.lower, welch.interval.level};
      std::string what = fmt::format("against the baseline mean {} ({} seeds) over seeds {}", short_number(reference),
                                     base.per_seed.size(), describe_seeds(values.seeds));
      add_judged(outcome, spec, key, "worse_by", what, 0.0 - welch.difference, worse, Bound{"margin", spec.margin},
                 false);
      add_information(outcome, key, "non_inferiority_p", non_inferiority_p(welch, spec.margin));
    }
    add_information(outcome, key, "welch_p", welch.p_two_sided);
    MannWhitneyResult mw = mann_whitney(x, y);
    add_information(outcome, key, "prob_improvement", mw.prob_greater);
    add_information(outcome, key, "mann_whitney_p", mw.p_two_sided);
    add_information(outcome, key, "brunner_munzel_p", brunner_munzel(x, y).p_two_sided);
    return;
  }
  bool ok = equivalence ? std::fabs(worse_by) <= spec.margin : worse_by <= spec.margin;
  add_statistic(outcome, key, "mean", candidate, Bound{"baseline mean", reference}, ok);
  add_statistic(outcome, key, "worse_by", worse_by, Bound{"margin", spec.margin}, ok);
  if (!ok) {
    add_failure(outcome, fmt::format("{}: mean {} {} is {} the baseline mean {} by {}, more than margin {} ({})",
                                     spec.metric, short_number(candidate), over,
                                     worse_by >= 0 ? "worse than" : "better than", short_number(reference),
                                     short_number(std::fabs(worse_by)), short_number(spec.margin), key.label()));
  }
}

}  // namespace

CheckOutcome evaluate(const CheckSpec& spec, std::span<const Observation> observations,
                      std::span<const Observation> baseline) {
  CheckOutcome outcome;
  outcome.confidence = spec.confidence;
  outcome.name = spec.name;
  outcome.kind = spec.kind;
  outcome.metric = spec.metric;
  Groups groups = group_observations(spec, observations);
  std::set<std::int64_t> seeds;
  for (const auto& [key, runs] : groups)
    for (const Observation* o : runs) seeds.insert(o->seed);
  outcome.seeds.assign(seeds.begin(), seeds.end());
  if (groups.empty()) {
    add_error(outcome, "no finished run matches this check's modes, devices and threads");
    return outcome;
  }
  for (const auto& [key, runs] : groups) {
    if (spec.kind == CheckKind::reproducibility || spec.kind == CheckKind::seed_sensitivity ||
        spec.kind == CheckKind::consistency) {
      for (const std::string& name : spec.artifacts) {
        bool reported =
            std::any_of(runs.begin(), runs.end(), [&](const Observation* o) { return o->digests.count(name); });
        if (!reported) add_error(outcome, fmt::format("no run reported artifact '{}' ({})", name, key.label()));
      }
    }
    switch (spec.kind) {
      case CheckKind::threshold:
        evaluate_threshold(outcome, spec, key, collect_values(runs, spec.metric, spec.goal));
        break;
      case CheckKind::variance:
        evaluate_variance(outcome, spec, key, collect_values(runs, spec.metric, spec.goal));
        break;
      case CheckKind::reproducibility:
        evaluate_reproducibility(outcome, spec, key, runs);
        break;
      case CheckKind::seed_sensitivity:
        evaluate_seed_sensitivity(outcome, spec, key, runs);
        break;
      case CheckKind::consistency:
        evaluate_consistency(outcome, spec, key, runs);
        break;
      case CheckKind::regression:
        evaluate_regression(outcome, spec, key, collect_values(runs, spec.metric, spec.goal),
                            group_observations(spec, baseline));
        break;
    }
  }
  return outcome;
}

bool selects(const CheckSpec& spec, const Observation& o) {
  return allowed(spec.modes, o.mode) && allowed(spec.devices, o.device) && allowed(spec.threads, o.threads);
}

}  // namespace seedgate::checks
