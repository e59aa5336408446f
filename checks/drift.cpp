#include "checks/drift.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "checks/group.hpp"

namespace seedgate::checks {
namespace {

struct Spread {
  double mean = 0;
  double sd = 0;
};

Spread spread_of_means(std::span<const SweepLevel* const> sweeps) {
  Spread out;
  if (sweeps.empty()) return out;
  const double n = static_cast<double>(sweeps.size());
  for (const SweepLevel* s : sweeps) out.mean += s->mean / n;
  if (sweeps.size() < 2) return out;
  double ss = 0;
  for (const SweepLevel* s : sweeps) ss += (s->mean - out.mean) * (s->mean - out.mean);
  out.sd = std::sqrt(ss / (n - 1));
  return out;
}

// The last `count` accepted sweeps of past[0, end), oldest first.
std::vector<const SweepLevel*> last_accepted(std::span<const SweepLevel> past, std::size_t end, std::size_t count) {
  std::vector<const SweepLevel*> out;
  for (std::size_t i = end; i > 0 && out.size() < count; --i)
    if (past[i - 1].accepted) out.push_back(&past[i - 1]);
  std::reverse(out.begin(), out.end());
  return out;
}

// The std of one more sweep's mean about the reference mean: the spread of
// the reference sweeps' means, with the seed noise part rescaled to this
// sweep's seed count where the sweeps have seeds to estimate it from.
double prediction_sd(std::span<const SweepLevel* const> reference, double between_sd, const SweepLevel& current) {
  const double k = static_cast<double>(reference.size());
  double within = 0, df = 0, inverse_n = 0;
  for (const SweepLevel* s : reference) {
    if (s->seeds >= 2) {
      within += s->variance * static_cast<double>(s->seeds - 1);
      df += static_cast<double>(s->seeds - 1);
    }
    inverse_n += 1.0 / static_cast<double>(std::max<std::size_t>(s->seeds, 1)) / k;
  }
  const double between = between_sd * between_sd;
  if (df == 0 || current.seeds == 0) return std::sqrt(between * (1 + 1 / k));
  within /= df;
  // between = tau^2 + within * mean(1/n): what is left is night-to-night variation.
  const double tau2 = std::max(0.0, between - within * inverse_n);
  return std::sqrt(between / k + tau2 + within / static_cast<double>(current.seeds));
}

// The smallest spread the rules take as a scale: a billionth of the level.
double scale_floor(double level) {
  return 1e-9 * std::max(1.0, std::fabs(level));
}

}  // namespace

DriftAnalysis analyse_drift(std::span<const SweepLevel> past, const SweepLevel& current, const DriftOptions& options) {
  DriftAnalysis out;
  const double alpha = 1 - options.confidence;
  const bool both = options.direction == DriftDirection::both;
  // The side that is worse: lower for a metric to maximise.
  const bool worse_is_down = options.goal == Goal::maximize;

  // Shift: against the last `window` accepted sweeps.
  std::vector<const SweepLevel*> reference = last_accepted(past, past.size(), options.window);
  out.reference = reference.size();
  if (reference.size() >= kMinDriftReference) {
    Spread s = spread_of_means(reference);
    out.reference_mean = s.mean;
    // Means that agree to the last few bits (a deterministic program) leave a
    // floor, so that floating-point noise after an upgrade is not a shift.
    const double sd = std::max(prediction_sd(reference, s.sd, current), scale_floor(s.mean));
    const double t = student_t_quantile(static_cast<double>(reference.size() - 1), 1 - (both ? alpha / 2 : alpha));
    const double inf = std::numeric_limits<double>::infinity();
    out.expected = {s.mean - t * sd, s.mean + t * sd, both ? options.confidence : 2 * options.confidence - 1};
    if (!both) (worse_is_down ? out.expected.upper : out.expected.lower) = worse_is_down ? inf : -inf;
    out.shift_alarm = current.mean < out.expected.lower || current.mean > out.expected.upper;
  }

  // CUSUM: over the last `span` sweeps (this one included), standardised by
  // the `window` accepted sweeps before them. Early on the span shrinks so
  // that a full reference precedes it.
  std::size_t span = std::min(options.span - 1, past.size());
  for (;; --span) {
    std::vector<const SweepLevel*> before = last_accepted(past, past.size() - span, options.window);
    if (before.size() >= options.window || span == 0) {
      out.cusum_reference = before.size();
      if (before.size() < options.window) return out;
      Spread s = spread_of_means(before);
      out.mu0 = s.mean;
      out.sigma0 = s.sd;
      break;
    }
  }
  if (!(out.sigma0 > scale_floor(out.mu0))) {
    out.sigma0 = 0;
    return out;
  }
  for (std::size_t i = past.size() - span; i < past.size(); ++i) out.span.push_back(i);
  double up = 0, down = 0;
  std::size_t up_start = 0, down_start = 0;  // positions in the span (this sweep: span.size())
  auto step = [&](double mean, std::size_t position) {
    const double z = (mean - out.mu0) / out.sigma0;
    if (up == 0) up_start = position;
    if (down == 0) down_start = position;
    up = std::max(0.0, up + z - options.k);
    down = std::max(0.0, down - z - options.k);
    out.upper.push_back(up);
    out.lower.push_back(down);
  };
  for (std::size_t p = 0; p < out.span.size(); ++p) step(past[out.span[p]].mean, p);
  step(current.mean, out.span.size());
  const bool up_alarm = up > options.h && (both || !worse_is_down);
  const bool down_alarm = down > options.h && (both || worse_is_down);
  if (up_alarm || down_alarm) {
    out.cusum_alarm = true;
    out.cusum_down = down_alarm && (!up_alarm || down >= up);
    const std::size_t position = out.cusum_down ? down_start : up_start;
    out.start = position < out.span.size() ? out.span[position] : past.size();
  }
  return out;
}

namespace {

std::string describe_sweep(const SweepLevel& sweep) {
  std::string out = fmt::format("sweep {} ({}", sweep.id, sweep.started);
  if (!sweep.commit.empty()) out += ", commit " + sweep.commit.substr(0, 12);
  return out + ")";
}

SweepLevel level_of(std::string id, std::string started, std::string commit, bool accepted, const SeedValues& values) {
  SweepLevel level{std::move(id), std::move(started), std::move(commit), accepted, values.per_seed.size(), 0, 0};
  if (values.per_seed.empty()) return level;
  const double n = static_cast<double>(values.per_seed.size());
  level.mean = std::accumulate(values.per_seed.begin(), values.per_seed.end(), 0.0) / n;
  if (values.per_seed.size() >= 2) {
    double ss = 0;
    for (double v : values.per_seed) ss += (v - level.mean) * (v - level.mean);
    level.variance = ss / (n - 1);
  }
  return level;
}

}  // namespace

void judge_drift(const DriftSpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  SeedValues values = group.values();
  if (group.reject_bad_values(values)) return;
  if (values.per_seed.empty()) {
    group.error(fmt::format("{}: no run reported it ({})", check.metric, group.label()));
    return;
  }
  SweepLevel current = level_of("this sweep", "now", "", true, values);

  std::vector<SweepLevel> past;
  std::vector<const PastSweep*> sweeps;
  for (const PastGroup& earlier : group.history()) {
    if (!spec.since.empty() && earlier.sweep->started < spec.since) continue;
    SeedValues v = collect_values(earlier.runs, check.metric, check.goal);
    if (!v.non_finite.empty() || v.per_seed.empty()) continue;  // a sweep without the metric says nothing of it
    past.push_back(
        level_of(earlier.sweep->id, earlier.sweep->started, earlier.sweep->commit, earlier.sweep->accepted, v));
    sweeps.push_back(earlier.sweep);
  }

  DriftOptions options;
  options.window = static_cast<std::size_t>(spec.window);
  options.span = static_cast<std::size_t>(spec.span);
  options.k = spec.cusum_k;
  options.h = spec.cusum_h;
  options.confidence = check.confidence.value_or(0.99);
  options.direction = spec.direction;
  options.goal = check.goal;
  DriftAnalysis a = analyse_drift(past, current, options);

  group.information("mean", current.mean);
  group.information("history_sweeps", static_cast<double>(past.size()));
  const std::string& metric = check.metric;
  if (a.reference < kMinDriftReference) {
    group.note(fmt::format("{}: {} accepted earlier sweep{} in the history, {} needed before a shift is judged ({})",
                           metric, a.reference, a.reference == 1 ? "" : "s", kMinDriftReference, group.label()));
  } else {
    const double lo = a.expected.lower - a.reference_mean, hi = a.expected.upper - a.reference_mean;
    group.verdict_statistic("shift", current.mean - a.reference_mean,
                            Bound{"shift_within", std::isfinite(hi) ? hi : -lo}, Interval{lo, hi, a.expected.level},
                            a.shift_alarm ? Verdict::fail : Verdict::pass);
    if (a.shift_alarm) {
      group.fail(
          fmt::format("{}: this sweep's mean {} is outside the range the last {} accepted sweeps predict, {}% [{}, {}] "
                      "(their mean {}) ({})",
                      metric, short_number(current.mean), a.reference, short_number(100 * options.confidence),
                      short_number(a.expected.lower), short_number(a.expected.upper), short_number(a.reference_mean),
                      group.label()));
    }
  }

  if (a.cusum_reference < options.window) {
    group.note(fmt::format("{}: the CUSUM waits for {} accepted sweeps before its span, the history has {} ({})",
                           metric, options.window, a.cusum_reference, group.label()));
  } else if (!(a.sigma0 > 0)) {
    group.note(
        fmt::format("{}: the reference sweeps' means are all equal: the CUSUM has no scale; only a shift is "
                    "judged ({})",
                    metric, group.label()));
  } else {
    const double cusum = std::max(a.upper.back(), a.lower.back());
    group.statistic("cusum", cusum, Bound{"cusum_h", options.h}, !a.cusum_alarm);
    if (a.span.size() + 1 < options.span)
      group.note(
          fmt::format("{}: the CUSUM ran over {} sweep{}, not span = {}: the history holds fewer sweeps with "
                      "this metric in this group after its reference ({})",
                      metric, a.span.size() + 1, a.span.empty() ? "" : "s", options.span, group.label()));
    if (a.cusum_alarm) {
      std::string began = *a.start < past.size() ? describe_sweep(past[*a.start]) : "this sweep";
      // A CUSUM that never came back to zero over its span cannot place the
      // start inside it: the drift may have begun within the reference.
      const bool from_span_start = !a.span.empty() && *a.start == a.span.front();
      group.fail(
          fmt::format("{}: slow drift {}: CUSUM {} passed cusum_h {} over the last {} sweeps; the drift began "
                      "{} {}; reference mean {} (std {}) from the {} accepted sweeps before them ({})",
                      metric, a.cusum_down ? "down" : "up", short_number(cusum), short_number(options.h),
                      a.span.size() + 1, from_span_start ? "at or before" : "at", began, short_number(a.mu0),
                      short_number(a.sigma0), a.cusum_reference, group.label()));
    }
  }

  // What changed in the environment since the reference: the newest accepted sweep's differences.
  for (auto it = sweeps.rbegin(); it != sweeps.rend(); ++it) {
    if (!(*it)->accepted) continue;
    for (const std::string& change : (*it)->environment_changes) {
      std::string line = fmt::format("environment changed since {}: {}", (*it)->id, change);
      if (a.shift_alarm || a.cusum_alarm)
        group.fail(line);
      else
        group.note(line);
    }
    break;
  }
}

}  // namespace seedgate::checks
