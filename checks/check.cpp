#include "checks/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "checks/group.hpp"
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

std::optional<Verdict> verdict_from(std::string_view text) {
  for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::inconclusive, Verdict::error})
    if (text == to_string(v)) return v;
  return std::nullopt;
}

std::string describe_seeds(std::span<const std::int64_t> seeds) {
  if (seeds.empty()) return "none";
  bool contiguous = seeds.size() > 2;
  for (std::size_t i = 1; i < seeds.size() && contiguous; ++i) contiguous = seeds[i] == seeds[i - 1] + 1;
  if (contiguous) return fmt::format("{}..{}", seeds.front(), seeds.back());
  return fmt::format("{}", fmt::join(seeds, ", "));
}

std::string GroupKey::label() const {
  std::vector<std::string> parts;
  if (!mode.empty()) parts.push_back("mode=" + mode);
  if (!device.empty()) parts.push_back("device=" + device);
  if (threads > 0) parts.push_back(fmt::format("threads={}", threads));
  if (!variant.empty()) parts.push_back("variant=" + variant);
  if (!source.empty()) parts.push_back("vary=" + source);
  if (fold >= 0) parts.push_back(fmt::format("fold={}", fold));
  return util::join(parts, ", ");
}

std::string short_number(double value) {
  return fmt::format("{:.6g}", value);
}

double two_sided_level(double confidence) {
  return 2 * confidence - 1;
}

std::string describe_interval(const Interval& interval, double confidence) {
  return fmt::format("{:g}% bounds [{}, {}]", confidence * 100, short_number(interval.lower),
                     short_number(interval.upper));
}

bool within(const Bound& bound, double value, Goal goal) {
  if (!std::isfinite(value)) return false;
  return goal == Goal::maximize ? value >= bound.value : value <= bound.value;
}

const char* breach_word(Goal goal) {
  return goal == Goal::maximize ? "below" : "above";
}

bool metric_equal(double a, double b, double atol, double rtol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= atol + rtol * std::fabs(a);
}

bool wanted(const std::vector<std::string>& filter, const std::string& name) {
  return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
}

SeedValues collect_values(std::span<const Observation* const> runs, const std::string& metric, Goal goal) {
  SeedValues out;
  bool first = true;
  // With a folds axis a repeat's value is its cross-validated estimate, the
  // mean over its folds: (seed, repeat) -> fold values.
  std::map<std::pair<std::int64_t, int>, std::vector<double>> by_repeat;
  for (const Observation* o : runs) {
    auto it = o->metrics.find(metric);
    std::string where = fmt::format("seed {} repeat {}", o->seed, o->repeat);
    if (it == o->metrics.end()) {
      out.missing.push_back(where);
      continue;
    }
    double v = it->second;
    by_repeat[{o->seed, o->repeat}].push_back(v);
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
  std::map<std::int64_t, std::vector<double>> by_seed;
  for (const auto& [key, folds] : by_repeat) {
    double sum = 0;
    for (double v : folds) sum += v;
    by_seed[key.first].push_back(sum / static_cast<double>(folds.size()));
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

Group::Group(const CheckSpec& spec, GroupKey key, std::vector<const Observation*> runs,
             std::vector<const Observation*> lost, const std::vector<const Observation*>* baseline,
             CheckOutcome& outcome)
    : m_spec(spec),
      m_key(std::move(key)),
      m_runs(std::move(runs)),
      m_lost(std::move(lost)),
      m_baseline(baseline),
      m_outcome(outcome) {}

std::vector<std::string> Group::describe_lost() const {
  // One entry per reason: "seeds 0..3 (failed: exited with code 1)", and a
  // repeat named only when the seed's other repeats finished.
  std::map<std::string, std::map<std::int64_t, std::vector<int>>> by_reason;
  std::map<std::int64_t, std::size_t> runs_of_seed;
  for (const Observation* o : m_runs) ++runs_of_seed[o->seed];
  for (const Observation* o : m_lost) {
    by_reason[o->lost][o->seed].push_back(o->repeat);
    ++runs_of_seed[o->seed];
  }
  std::vector<std::string> out;
  for (const auto& [reason, seeds] : by_reason) {
    std::vector<std::int64_t> whole;
    for (const auto& [seed, repeats] : seeds) {
      if (repeats.size() == runs_of_seed[seed])
        whole.push_back(seed);
      else
        for (int r : repeats) out.push_back(fmt::format("seed {} repeat {} ({})", seed, r, reason));
    }
    if (!whole.empty())
      out.push_back(fmt::format("seed{} {} ({})", whole.size() == 1 ? "" : "s", describe_seeds(whole), reason));
  }
  return out;
}

SeedValues Group::values() const {
  return collect_values(m_runs, m_spec.metric, m_spec.goal);
}

SingleRunStd Group::single_run_std(const SeedValues& values) const {
  return single_run_std_interval(values.by_seed, two_sided_level(m_spec.confidence.value_or(0.95)));
}

double Group::resolution(const SeedValues& values) const {
  if (m_spec.resolution) return *m_spec.resolution;
  std::vector<double> all;
  for (const std::vector<double>& runs : values.by_seed) all.insert(all.end(), runs.begin(), runs.end());
  return inferred_resolution(all);
}

// A failure wins over an error: a check that failed in one group and could not
// be judged in another has failed.
void Group::fail(std::string message) {
  m_outcome.verdict = Verdict::fail;
  m_outcome.messages.push_back(std::move(message));
}

void Group::error(std::string message) {
  if (m_outcome.verdict != Verdict::fail) m_outcome.verdict = Verdict::error;
  m_outcome.messages.push_back(std::move(message));
}

void Group::inconclusive(std::string message) {
  if (m_outcome.verdict == Verdict::pass) m_outcome.verdict = Verdict::inconclusive;
  m_outcome.messages.push_back(std::move(message));
}

void Group::note(std::string message) {
  m_outcome.notes.push_back(std::move(message));
}

void Group::statistic(std::string name, double value, std::optional<Bound> bound, bool passed) {
  m_outcome.statistics.push_back(
      {label(), std::move(name), value, std::move(bound), std::nullopt, passed ? Verdict::pass : Verdict::fail});
}

void Group::information(std::string name, double value, std::optional<Interval> interval) {
  m_outcome.statistics.push_back({label(), std::move(name), value, std::nullopt, interval, Verdict::pass});
}

void Group::verdict_statistic(std::string name, double value, Bound bound, Interval interval, Verdict verdict) {
  if (verdict == Verdict::inconclusive && std::fabs(value) > bound.value) m_outcome.estimate_breaches = true;
  m_outcome.statistics.push_back({label(), std::move(name), value, std::move(bound), interval, verdict});
}

std::vector<const Observation*> Group::first_repeats() const {
  std::vector<const Observation*> first;
  for (const Observation* o : m_runs)
    if (first.empty() || first.back()->seed != o->seed) first.push_back(o);
  return first;
}

std::optional<PredictionSet> Group::predictions(std::span<const Observation* const> runs, bool repeats) {
  std::vector<const Predictions*> members;
  std::vector<std::string> labels, missing;
  for (const Observation* o : runs) {
    std::string name = repeats ? fmt::format("seed {} repeat {}", o->seed, o->repeat) : fmt::format("seed {}", o->seed);
    if (!o->predictions)
      missing.push_back(
          fmt::format("{}: {}", name, o->predictions_error.empty() ? "no predictions" : o->predictions_error));
    members.push_back(o->predictions.get());
    labels.push_back(std::move(name));
  }
  if (!missing.empty()) {
    constexpr std::size_t kShown = 3;
    std::size_t count = missing.size();
    std::string more = count > kShown ? fmt::format("; and {} more", count - kShown) : "";
    missing.resize(std::min(count, kShown));
    error(fmt::format("{} of {} runs have no predictions to judge: {}{} ({})", count, labels.size(),
                      fmt::join(missing, "; "), more, label()));
    return std::nullopt;
  }
  auto set = align_predictions(members, labels);
  if (!set) {
    error(fmt::format("{} ({})", set.error(), label()));
    return std::nullopt;
  }
  return std::move(*set);
}

PredictionDetail& Group::detail() {
  for (PredictionDetail& d : m_outcome.details)
    if (d.group == label()) return d;
  PredictionDetail detail;
  detail.group = label();
  m_outcome.details.push_back(std::move(detail));
  return m_outcome.details.back();
}

namespace {

// Judges an interval against a bound: pass when all of it meets the bound,
// fail when none of it does, inconclusive when it straddles the bound.
Verdict judge_interval(const Interval& interval, double bound, bool at_least) {
  if (at_least) {
    if (interval.lower >= bound) return Verdict::pass;
    return interval.upper < bound ? Verdict::fail : Verdict::inconclusive;
  }
  if (interval.upper <= bound) return Verdict::pass;
  return interval.lower > bound ? Verdict::fail : Verdict::inconclusive;
}

}  // namespace

void Group::judged(const std::string& name, const std::string& context, double value, const Interval& interval,
                   const Bound& bound, bool at_least) {
  Verdict verdict = judge_interval(interval, bound.value, at_least);
  m_outcome.statistics.push_back({label(), name, value, bound, interval, verdict});
  std::string judged = fmt::format("{}{} {} {} ({})", m_spec.metric.empty() ? "" : m_spec.metric + ": ", name,
                                   short_number(value), context, describe_interval(interval, *m_spec.confidence));
  if (verdict == Verdict::fail) {
    fail(fmt::format("{} is {} {} {} ({})", judged, at_least ? "below" : "above", bound.key, short_number(bound.value),
                     label()));
  } else if (verdict == Verdict::inconclusive) {
    bool breaches = at_least ? value < bound.value : value > bound.value;
    m_outcome.estimate_breaches |= breaches;
    inconclusive(fmt::format("{} straddles {} {}: cannot tell yet{} ({})", judged, bound.key, short_number(bound.value),
                             breaches ? ", and the estimate is already past the bound" : "", label()));
  }
}

bool Group::reject_bad_values(const SeedValues& values) {
  if (!values.non_finite.empty()) {
    fail(fmt::format("{}: non-finite value in {} ({})", m_spec.metric, fmt::join(values.non_finite, ", "), label()));
  }
  if (!values.missing.empty()) {
    fail(fmt::format("{}: not reported by {} ({})", m_spec.metric, fmt::join(values.missing, ", "), label()));
  }
  return !values.non_finite.empty() || !values.missing.empty();
}

bool Group::enough_for_confidence(std::size_t n, const std::string& what) {
  if (n >= 2) return true;
  error(fmt::format("{}: {} with confidence needs at least 2 seeds, got {} ({})", m_spec.metric, what, n, label()));
  return false;
}

void Group::require_artifacts(const std::vector<std::string>& artifacts) {
  for (const std::string& name : artifacts) {
    bool reported =
        std::any_of(m_runs.begin(), m_runs.end(), [&](const Observation* o) { return o->digests.count(name); });
    if (!reported) error(fmt::format("no run reported artifact '{}' ({})", name, label()));
  }
}

namespace {

using Groups = std::map<GroupKey, std::vector<const Observation*>>;

void sort_runs(Groups& groups) {
  for (auto& [key, runs] : groups) {
    std::sort(runs.begin(), runs.end(), [](const Observation* a, const Observation* b) {
      return std::tie(a->seed, a->repeat) < std::tie(b->seed, b->repeat);
    });
  }
}

// Groups of runs judged together: one per (mode, device, threads), or per mode
// for a kind that compares devices and thread counts. A run stopped by a
// determinism violation has no results; only kinds that judge violations see
// it. Runs that crashed or timed out go to `lost`, in the same groups.
Groups group_observations(const CheckSpec& spec, const KindInfo& kind, std::span<const Observation> observations,
                          Groups* lost = nullptr) {
  Groups groups;
  for (const Observation& o : observations) {
    if (!selects(spec, o)) continue;
    if (!o.violation.empty() && !kind.sees_violations) continue;
    GroupKey key = kind.across_configurations ? GroupKey{o.mode, "", 0} : GroupKey{o.mode, o.device, o.threads};
    // Runs compared exactly (repeats, configurations) must have trained on the same split.
    if (kind.across_configurations || kind.compares_repeats) key.fold = o.fold;
    if (!kind.across_variants) key.variant = o.variant;
    key.source = o.source;  // with [sweep] vary, each source's runs are judged on their own
    if (o.lost.empty())
      groups[key].push_back(&o);
    else if (lost)
      (*lost)[key].push_back(&o);
  }
  sort_runs(groups);
  if (lost) sort_runs(*lost);
  return groups;
}

// Every check says how many seeds it lost and why; the kinds that count lost
// seeds in their verdict (threshold, failures) say how they counted them.
void note_lost(const Group& group, CheckOutcome& outcome) {
  if (group.lost().empty() || outcome.kind == CheckKind::failures) return;
  std::set<std::int64_t> seeds;
  for (const Observation* o : group.lost()) seeds.insert(o->seed);
  bool counted =
      outcome.kind == CheckKind::threshold && group.spec().as<ThresholdSpec>().lost_seeds == LostSeeds::count;
  outcome.statistics.push_back(
      {group.label(), "lost_seeds", static_cast<double>(seeds.size()), std::nullopt, std::nullopt, Verdict::pass});
  outcome.notes.push_back(fmt::format("lost {} seed{} ({}): {}; {}", seeds.size(), seeds.size() == 1 ? "" : "s",
                                      group.label(), fmt::join(group.describe_lost(), ", "),
                                      counted ? "counted below every bound"
                                      : outcome.kind == CheckKind::threshold
                                          ? "left out of the statistics (lost_seeds = \"exclude\")"
                                          : "left out of the statistics"));
}

}  // namespace

CheckOutcome evaluate(const CheckSpec& spec, std::span<const Observation> observations,
                      std::span<const Observation> baseline, std::span<const PastSweep> history) {
  const KindInfo& kind = kind_info(spec.kind());
  CheckOutcome outcome;
  outcome.confidence = spec.confidence;
  outcome.name = spec.name;
  outcome.kind = spec.kind();
  outcome.metric = spec.metric;
  outcome.verdict = Verdict::pass;  // until a group says otherwise
  Groups lost;
  Groups groups = group_observations(spec, kind, observations, &lost);
  Groups baseline_groups = group_observations(spec, kind, baseline);
  std::vector<Groups> past_groups;
  past_groups.reserve(history.size());
  for (const PastSweep& past : history) past_groups.push_back(group_observations(spec, kind, past.runs));
  // A group whose every run was lost is still judged (on no runs).
  for (const auto& [key, runs] : lost) groups.try_emplace(key);
  std::set<std::int64_t> seeds;
  for (const auto& [key, runs] : groups)
    for (const Observation* o : runs) seeds.insert(o->seed);
  outcome.seeds.assign(seeds.begin(), seeds.end());
  if (groups.empty()) {
    outcome.verdict = Verdict::error;
    outcome.messages.emplace_back("no finished run matches this check's modes, devices and threads");
    return outcome;
  }
  for (auto& [key, runs] : groups) {
    auto base = baseline_groups.find(key);
    auto gone = lost.find(key);
    Group group(spec, key, std::move(runs), gone == lost.end() ? std::vector<const Observation*>{} : gone->second,
                base == baseline_groups.end() ? nullptr : &base->second, outcome);
    if (kind.reads_history) {
      std::vector<PastGroup> past;
      for (std::size_t i = 0; i < history.size(); ++i)
        if (auto found = past_groups[i].find(key); found != past_groups[i].end())
          past.push_back({&history[i], found->second});
      group.set_history(std::move(past));
    }
    kind.judge(spec, group);
    note_lost(group, outcome);
  }
  return outcome;
}

bool selects(const CheckSpec& spec, const Observation& o) {
  auto allowed = [](const auto& filter, const auto& value) {
    return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
  };
  return allowed(spec.modes, o.mode) && allowed(spec.devices, o.device) && allowed(spec.threads, o.threads);
}

}  // namespace seedgate::checks
