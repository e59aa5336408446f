// The kinds that compare runs exactly rather than estimate: reproducibility
// (repeats of a seed agree), consistency (a seed agrees across devices and
// thread counts) and seed-sensitivity (different seeds differ).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "checks/group.hpp"
#include "util/strings.hpp"

namespace seedgate::checks {

void judge_reproducibility(const ReproducibilitySpec& spec, Group& group) {
  group.require_artifacts(spec.artifacts);
  const std::string& metric = group.spec().metric;
  std::map<std::int64_t, std::vector<const Observation*>> by_seed;
  bool violated = false;
  for (const Observation* o : group.runs()) {
    if (o->violation.empty()) {
      by_seed[o->seed].push_back(o);
    } else {
      violated = true;
      group.fail(fmt::format("seed {} ({}): repeat {} stopped on a determinism violation: {}", o->seed, group.label(),
                             o->repeat, o->violation));
    }
  }
  std::size_t compared = 0;
  for (const auto& [seed, repeats] : by_seed) {
    if (repeats.size() < 2) continue;
    ++compared;
    const Observation& reference = *repeats.front();
    for (std::size_t i = 1; i < repeats.size(); ++i) {
      const Observation& other = *repeats[i];
      std::string where = fmt::format("seed {} ({})", seed, group.label());
      for (const auto& [name, digest] : reference.digests) {
        if (!wanted(spec.artifacts, name)) continue;
        auto it = other.digests.find(name);
        std::string theirs = it == other.digests.end() ? "missing" : it->second;
        if (theirs != digest) {
          group.fail(fmt::format("{}: artifact '{}' differs: repeat {} {} vs repeat {} {}", where, name,
                                 reference.repeat, digest, other.repeat, theirs));
        }
      }
      for (const auto& [name, value] : reference.metrics) {
        if (!metric.empty() && name != metric) continue;
        auto it = other.metrics.find(name);
        if (it == other.metrics.end()) {
          group.fail(fmt::format("{}: metric '{}' reported by repeat {} but not by repeat {}", where, name,
                                 reference.repeat, other.repeat));
        } else if (!metric_equal(value, it->second, spec.atol, spec.rtol)) {
          group.fail(fmt::format("{}: metric '{}' differs: repeat {} {} vs repeat {} {}", where, name, reference.repeat,
                                 util::format_number(value), other.repeat, util::format_number(it->second)));
        }
      }
    }
  }
  group.statistic("seeds_compared", static_cast<double>(compared), std::nullopt, compared > 0);
  if (compared == 0 && !violated) {
    // Repeats that were planned (a run with repeat 1 or more, finished or
    // lost) but lost need no advice on repeats.
    bool planned = false;
    for (const Observation* o : group.runs()) planned |= o->repeat > 0;
    for (const Observation* o : group.lost()) planned |= o->repeat > 0;
    group.error(!planned ? fmt::format("no seed has 2 finished repeats to compare ({}); set repeats >= 2 in [sweep]",
                                       group.label())
                         : fmt::format("no seed has 2 finished repeats to compare ({}): {} run{} lost", group.label(),
                                       group.lost().size(), group.lost().size() == 1 ? "" : "s"));
  }
}

// The first repeat of each configuration stands for it; the first
// configuration (in the order device, threads) is the reference.
void judge_consistency(const ConsistencySpec& spec, Group& group) {
  group.require_artifacts(spec.artifacts);
  const std::string& metric = group.spec().metric;
  // A configuration is a GroupKey without the mode: "device=cpu, threads=2".
  std::map<std::int64_t, std::map<GroupKey, const Observation*>> by_seed;
  for (const Observation* o : group.runs()) {
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
      std::string where = fmt::format("seed {} ({})", seed, group.label());
      for (const auto& [name, value] : reference->metrics) {
        if (!metric.empty() && name != metric) continue;
        auto found = other->metrics.find(name);
        if (found == other->metrics.end()) {
          group.fail(fmt::format("{}: metric '{}' reported with {} but not with {}", where, name,
                                 reference_config.label(), config.label()));
          continue;
        }
        double& worst = max_difference[name];
        worst = std::max(worst, std::fabs(value - found->second));
        if (!metric_equal(value, found->second, spec.atol, spec.rtol)) {
          group.fail(fmt::format("{}: metric '{}' differs: {} with {} vs {} with {} (allowed: {})", where, name,
                                 util::format_number(value), reference_config.label(),
                                 util::format_number(found->second), config.label(),
                                 util::format_number(spec.atol + spec.rtol * std::fabs(value))));
        }
      }
      for (const std::string& name : spec.artifacts) {
        auto mine = reference->digests.find(name), theirs = other->digests.find(name);
        std::string a = mine == reference->digests.end() ? "missing" : mine->second;
        std::string b = theirs == other->digests.end() ? "missing" : theirs->second;
        if (a != b || a == "missing") {
          group.fail(fmt::format("{}: artifact '{}' differs: {} with {} vs {} with {}", where, name, a,
                                 reference_config.label(), b, config.label()));
        }
      }
    }
  }
  group.statistic("seeds_compared", static_cast<double>(compared), std::nullopt, compared > 0);
  for (const auto& [name, difference] : max_difference) {
    std::string statistic = metric.empty() ? fmt::format("max_difference[{}]", name) : "max_difference";
    group.statistic(statistic, difference, std::nullopt, true);
  }
  if (compared == 0) {
    group.error(
        fmt::format("no seed ran on 2 or more devices or thread counts ({}); set threads = [1, 2] "
                    "or devices = [\"cpu\", \"cuda\"] in [sweep]",
                    group.label()));
  }
}

namespace {

// True when some seed's repeats differ in a compared artifact or metric: the
// program varies from run to run with the seed fixed.
bool varies_between_repeats(const SeedSensitivitySpec& spec, const Group& group) {
  const std::string& metric = group.spec().metric;
  std::map<std::int64_t, const Observation*> first;
  for (const Observation* o : group.runs()) {
    auto [it, inserted] = first.try_emplace(o->seed, o);
    if (inserted) continue;
    const Observation& reference = *it->second;
    for (const auto& [name, digest] : reference.digests)
      if (wanted(spec.artifacts, name) && o->digests.count(name) && o->digests.at(name) != digest) return true;
    for (const auto& [name, value] : reference.metrics)
      if ((metric.empty() || name == metric) && o->metrics.count(name) && o->metrics.at(name) != value) return true;
  }
  return false;
}

bool has_repeats(const Group& group) {
  std::map<std::int64_t, int> runs;
  for (const Observation* o : group.runs())
    if (++runs[o->seed] > 1) return true;
  return false;
}

// A program that varies from run to run: the seed must explain at least
// `seed_share_at_least` of each metric's variance, and more than run-to-run
// noise alone would (the share's 95% lower bound above 0, an F test).
void judge_seed_share(const SeedSensitivitySpec& spec, Group& group) {
  const CheckSpec& check = group.spec();
  std::vector<std::string> names;
  if (!check.metric.empty()) {
    names.push_back(check.metric);
  } else {
    for (const auto& [name, value] : group.runs().front()->metrics) names.push_back(name);
  }
  if (names.empty()) {
    group.inconclusive(
        fmt::format("artifacts differ between repeats of a seed, and no metric tells the seed's effect from "
                    "run-to-run differences ({})",
                    group.label()));
    return;
  }
  for (const std::string& name : names) {
    SeedValues values = collect_values(group.runs(), name, Goal::maximize);
    if (!values.missing.empty() || !values.non_finite.empty()) continue;
    // Runs differ (in an artifact) yet every run has one value of this
    // metric: it has no variance for the seed to explain, so the seed did
    // not reach it.
    const double reference = values.by_seed.front().front();
    bool all_same = std::all_of(values.by_seed.begin(), values.by_seed.end(), [&](const std::vector<double>& runs) {
      return std::all_of(runs.begin(), runs.end(), [&](double v) { return v == reference; });
    });
    if (all_same) {
      group.fail(
          fmt::format("all {} seeds produced {} = {} in every repeat, while the runs differ in an artifact "
                      "({}): the program may ignore its seed",
                      values.by_seed.size(), name, util::format_number(reference), group.label()));
      continue;
    }
    auto components = variance_components(values.by_seed);
    if (!components) continue;
    double share = seed_share(*components);
    Interval interval = seed_share_interval(values.by_seed, 0.90);
    std::string statistic = check.metric.empty() ? fmt::format("seed_share[{}]", name) : "seed_share";
    bool ok = share >= spec.seed_share_at_least && interval.lower > 0;
    group.verdict_statistic(statistic, share, Bound{"seed_share_at_least", spec.seed_share_at_least}, interval,
                            ok ? Verdict::pass : Verdict::fail);
    if (!ok) {
      group.fail(
          fmt::format("{}: the seed explains {:.3g}% of the variance (95% lower bound {:.3g}%; seed std {}, "
                      "run-to-run std {}), {} seed_share_at_least {:g}%: the seed's effect is within "
                      "run-to-run noise ({})",
                      name, 100 * share, 100 * interval.lower, short_number(std::sqrt(components->between_seeds)),
                      short_number(std::sqrt(components->within_seed)),
                      share < spec.seed_share_at_least ? "below" : "not clearly above", 100 * spec.seed_share_at_least,
                      group.label()));
    }
  }
}

// One run per seed (its first repeat): two seeds with one digest, or every
// seed with one value of a metric, means the seed did not reach the model.
// nullopt: nothing to compare; otherwise whether every comparison differed.
std::optional<bool> judge_seeds_differ(const SeedSensitivitySpec& spec, Group& group,
                                       const std::map<std::int64_t, const Observation*>& first) {
  const std::string& metric = group.spec().metric;
  bool judged = false, differ = true;
  std::map<std::string, std::map<std::string, std::int64_t>> seen;  // artifact -> digest -> first seed
  for (const auto& [seed, o] : first) {
    for (const auto& [name, digest] : o->digests) {
      if (!wanted(spec.artifacts, name)) continue;
      judged = true;
      auto [it, inserted] = seen[name].try_emplace(digest, seed);
      if (!inserted) {
        differ = false;
        group.fail(
            fmt::format("seeds {} and {} produced the same artifact '{}' ({}) ({}): the "
                        "program may ignore its seed",
                        it->second, seed, name, digest, group.label()));
      }
    }
  }
  // Metrics: distinct seeds may tie on a coarse metric, so only all-equal fails.
  for (const auto& [name, value] : first.begin()->second->metrics) {
    if (!metric.empty() && name != metric) continue;
    if (metric.empty() && !seen.empty()) continue;  // digests already decide
    judged = true;
    const std::string& metric_name = name;
    const double reference = value;
    bool all_same = std::all_of(first.begin(), first.end(), [&](const auto& entry) {
      auto it = entry.second->metrics.find(metric_name);
      return it != entry.second->metrics.end() && it->second == reference;
    });
    if (all_same) {
      differ = false;
      group.fail(fmt::format("all {} seeds produced {} = {} ({}): the program may ignore its seed", first.size(), name,
                             util::format_number(value), group.label()));
    }
  }
  if (!judged) return std::nullopt;
  return differ;
}

}  // namespace

// Different seeds must differ, and the difference must come from the seed:
// - repeats that agree (a deterministic program): different digests or
//   metrics between seeds are proof;
// - repeats that differ: the seed must explain a share of the variance;
// - no repeats: differences between seeds could be run-to-run noise (a
//   program that ignores its seed and reads the clock differs too), so the
//   check is inconclusive unless every seed gave the same result.
void judge_seed_sensitivity(const SeedSensitivitySpec& spec, Group& group) {
  group.require_artifacts(spec.artifacts);
  std::map<std::int64_t, const Observation*> first;
  for (const Observation* o : group.runs()) first.try_emplace(o->seed, o);
  if (first.size() < 2) {
    group.error(fmt::format("seed-sensitivity needs at least 2 seeds, got {} ({})", first.size(), group.label()));
    return;
  }
  group.statistic("seeds_compared", static_cast<double>(first.size()), std::nullopt, true);
  if (has_repeats(group) && varies_between_repeats(spec, group)) {
    judge_seed_share(spec, group);
    return;
  }
  std::optional<bool> differ = judge_seeds_differ(spec, group, first);
  if (!differ) {
    group.error(fmt::format("no artifact or metric to compare across seeds ({})", group.label()));
    return;
  }
  if (*differ && !has_repeats(group)) {
    group.inconclusive(
        fmt::format("seeds gave different results, but without repeats a program that varies from run to run "
                    "looks the same; set repeats = 2 in [sweep] to tell the seed from run-to-run noise ({})",
                    group.label()));
  }
}

}  // namespace seedgate::checks
