#include "harness/report/parts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "checks/stats.hpp"
#include "util/strings.hpp"

namespace seedgate::report_parts {

using checks::Verdict;

std::string group_label(const RunSpec& run) {
  std::string text = fmt::format("mode={}, device={}", run.mode, run.device);
  if (run.threads > 0) text += fmt::format(", threads={}", run.threads);
  if (!run.variant.empty()) text += ", variant=" + run.variant;
  if (!run.source.empty()) text += ", vary=" + run.source;
  return text;
}

namespace {

// A source of randomness in a sentence.
std::string source_words(const std::string& source) {
  if (source == "init") return "initialisation";
  if (source == "order") return "the data order";
  if (source == "split") return "the train/test split";
  if (source == "run-to-run") return "run-to-run nondeterminism";
  return source;
}

}  // namespace

std::vector<SourceShareGroup> source_shares(const SweepResults& results) {
  // metric -> group -> source -> seed -> values (repeats)
  std::map<std::string, std::map<std::string, std::map<std::string, std::map<std::int64_t, std::vector<double>>>>> raw;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::passed || r.run.source.empty()) continue;
    RunSpec held = r.run;
    held.source.clear();
    for (const auto& [name, value] : r.report.metrics)
      if (std::isfinite(value)) raw[name][group_label(held)][r.run.source][r.run.seed].push_back(value);
  }
  std::vector<SourceShareGroup> out;
  for (const auto& [metric, groups] : raw) {
    for (const auto& [group, sources] : groups) {
      std::vector<checks::SourceSample> samples;
      std::vector<std::vector<double>> repeats;
      for (const auto& [source, seeds] : sources) {
        checks::SourceSample sample{source, {}};
        for (const auto& [seed, values] : seeds) {
          double sum = 0;
          for (double v : values) sum += v;
          sample.values.push_back(sum / static_cast<double>(values.size()));
          if (values.size() >= 2) repeats.push_back(values);
        }
        if (sample.values.size() >= 2) samples.push_back(std::move(sample));
      }
      if (samples.empty()) continue;
      try {
        out.push_back({metric, group, checks::variance_shares(samples, repeats)});
      } catch (const std::invalid_argument&) {
        continue;  // nothing to split: reported nowhere rather than wrongly
      }
    }
  }
  return out;
}

std::vector<FoldComponents> fold_components(const SweepResults& results) {
  // metric -> group -> seed -> fold -> values (repeats)
  std::map<std::string, std::map<std::string, std::map<std::int64_t, std::map<int, std::vector<double>>>>> raw;
  std::set<int> folds;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::passed || r.run.fold < 0) continue;
    folds.insert(r.run.fold);
    for (const auto& [name, value] : r.report.metrics)
      if (std::isfinite(value)) raw[name][group_label(r.run)][r.run.seed][r.run.fold].push_back(value);
  }
  std::vector<FoldComponents> out;
  for (const auto& [metric, groups] : raw) {
    for (const auto& [group, seeds] : groups) {
      // A balanced design: the seeds with every fold, each with the smallest repeat count among them.
      std::size_t replicates = std::numeric_limits<std::size_t>::max();
      std::vector<const std::map<int, std::vector<double>>*> complete;
      for (const auto& [seed, by_fold] : seeds) {
        if (by_fold.size() != folds.size()) continue;
        complete.push_back(&by_fold);
        for (const auto& [fold, values] : by_fold) replicates = std::min(replicates, values.size());
      }
      if (complete.size() < 2 || folds.size() < 2) continue;
      std::vector<std::vector<std::vector<double>>> cells;
      for (const auto* by_fold : complete) {
        std::vector<std::vector<double>> row;
        for (const auto& [fold, values] : *by_fold)
          row.emplace_back(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(replicates));
        cells.push_back(std::move(row));
      }
      try {
        out.push_back({metric, group, checks::crossed_components(cells)});
      } catch (const std::invalid_argument&) {
        continue;
      }
    }
  }
  return out;
}

std::string fold_components_line(const FoldComponents& c) {
  const checks::CrossedComponents& v = c.components;
  std::vector<std::pair<std::string, double>> parts = {{"seed", v.seed.share}, {"fold", v.fold.share}};
  if (v.interaction_separable) parts.emplace_back("seed x fold", v.interaction.share);
  parts.emplace_back(v.interaction_separable ? "run-to-run" : "run-to-run and seed x fold", v.run.share);
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> words;
  words.reserve(parts.size());
  for (const auto& [name, share] : parts) words.push_back(fmt::format("{} {:.0f}%", name, share * 100));
  return fmt::format("variance over {} seeds x {} folds: {}", v.seeds, v.folds, util::join(words, ", "));
}

std::string source_share_line(const SourceShareGroup& g) {
  std::vector<checks::SourceShare> shares = g.shares.sources;
  if (g.shares.has_run_to_run) shares.push_back(g.shares.run_to_run);
  std::sort(shares.begin(), shares.end(),
            [](const checks::SourceShare& a, const checks::SourceShare& b) { return a.share > b.share; });
  if (shares.empty() || !(g.shares.total > 0)) return "no source of randomness moves it";
  std::string line = fmt::format("{:.0f}% of the spread comes from {}", shares.front().share * 100,
                                 source_words(shares.front().source));
  std::vector<std::string> rest;
  for (std::size_t i = 1; i < shares.size(); ++i)
    rest.push_back(fmt::format("{} {:.0f}%", source_words(shares[i].source), shares[i].share * 100));
  if (!rest.empty()) line += "; " + util::join(rest, ", ");
  return line;
}

// metric -> group -> per-seed values, from runs that passed.
std::map<std::string, std::map<std::string, std::vector<SeedValue>>> distributions(const SweepResults& results) {
  std::map<std::string, std::map<std::string, std::map<std::int64_t, std::vector<double>>>> raw;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::passed) continue;
    for (const auto& [name, value] : r.report.metrics) raw[name][group_label(r.run)][r.run.seed].push_back(value);
  }
  std::map<std::string, std::map<std::string, std::vector<SeedValue>>> out;
  for (const auto& [metric, groups] : raw) {
    for (const auto& [group, seeds] : groups) {
      for (const auto& [seed, values] : seeds) {
        double sum = 0;
        for (double v : values) sum += v;
        out[metric][group].push_back({seed, sum / static_cast<double>(values.size())});
      }
    }
  }
  return out;
}

// Per group, how stable the feature-importance ranking is across seeds: the
// first passed run of each seed that reported importance.
std::vector<ImportanceGroup> importance_groups(const SweepResults& results) {
  std::map<std::string, std::map<std::int64_t, std::map<std::string, double>>> per_group;
  std::map<std::string, std::string> kinds;
  for (const RunRecord& r : results.runs) {
    if (r.status != RunStatus::passed || r.report.importance.empty()) continue;
    std::string group = group_label(r.run);
    per_group[group].emplace(r.run.seed, r.report.importance);
    kinds.emplace(group, r.report.importance_kind);
  }
  std::vector<ImportanceGroup> out;
  for (const auto& [group, seeds] : per_group)
    if (seeds.size() >= 2) out.push_back({group, kinds[group], checks::importance_stability(seeds)});
  return out;
}

std::string rank_range(const checks::FeatureStanding& f) {
  return f.best_rank == f.worst_rank ? fmt::format("{:g}", f.best_rank)
                                     : fmt::format("{:g}–{:g}", f.best_rank, f.worst_rank);
}

std::string importance_headline(const ImportanceGroup& g) {
  const checks::ImportanceStability& s = g.stability;
  return fmt::format(
      "{} seeds, Kendall's tau mean {:.3f}, min {:.3f} (seeds {} and {}); {} features in some seed's "
      "top {}",
      s.seeds, s.mean_tau, s.min_tau, s.min_pair[0], s.min_pair[1], s.distinct_in_top, s.top_k);
}

std::string verdict_word(checks::Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return "PASS";
    case Verdict::fail:
      return "FAIL";
    case Verdict::inconclusive:
      return "INCONCLUSIVE";
    case Verdict::error:
      return "ERROR";
  }
  return "ERROR";
}

std::string verdict_word(SweepVerdict verdict) {
  switch (verdict) {
    case SweepVerdict::pass:
      return "PASS";
    case SweepVerdict::fail:
      return "FAIL";
    default:
      return "ERROR";
  }
}

std::string error_reason(const SweepResults& results, const std::vector<std::string>& errors) {
  std::vector<std::string> parts;
  if (!errors.empty())
    parts.push_back(fmt::format("could not evaluate: {}{}", errors.front(),
                                errors.size() > 1 ? fmt::format(" (and {} more errors)", errors.size() - 1) : ""));
  std::vector<std::string> unjudged;
  std::string why;  // the first such check's first message
  for (const CheckResult& c : results.checks) {
    if (c.counted_as != Verdict::error) continue;
    unjudged.push_back(c.outcome.name);
    if (why.empty() && !c.outcome.messages.empty()) why = c.outcome.messages.front();
  }
  if (!unjudged.empty()) {
    constexpr std::size_t kNamed = 3;
    std::string names = util::join(std::span(unjudged).first(std::min(unjudged.size(), kNamed)), ", ");
    if (unjudged.size() > kNamed) names += fmt::format(" and {} more", unjudged.size() - kNamed);
    parts.push_back(fmt::format("{} of {} check{} could not be judged: {}{}", unjudged.size(), results.checks.size(),
                                results.checks.size() == 1 ? "" : "s", names, why.empty() ? "" : " (" + why + ")"));
  }
  if (parts.empty())
    parts.emplace_back(results.checks.empty() ? "could not evaluate: no check was judged" : "could not evaluate");
  return util::join(parts, "; ");
}

namespace {

std::map<std::string, std::size_t> run_counts(const SweepResults& results) {
  std::map<std::string, std::size_t> counts;
  for (const RunRecord& r : results.runs) ++counts[to_string(r.status)];
  return counts;
}

}  // namespace

std::string run_summary(const SweepResults& results) {
  std::vector<std::string> parts;
  for (const auto& [status, count] : run_counts(results)) parts.push_back(fmt::format("{} {}", count, status));
  return fmt::format("{} runs ({})", results.runs.size(), util::join(parts, ", "));
}

std::vector<std::string> last_lines(const std::string& tail, std::size_t count, std::size_t width) {
  std::vector<std::string> lines;
  std::string_view rest = tail;
  while (!rest.empty() && lines.size() < count) {
    std::size_t end = rest.find_last_not_of("\r\n");
    if (end == std::string_view::npos) break;
    rest = rest.substr(0, end + 1);
    std::size_t start = rest.find_last_of("\r\n");
    std::string_view line = start == std::string_view::npos ? rest : rest.substr(start + 1);
    rest = start == std::string_view::npos ? std::string_view() : rest.substr(0, start);
    bool cut = line.size() > width;
    if (cut) {
      std::size_t at = width;
      while (at > 0 && (static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) --at;  // not inside a UTF-8 character
      line = line.substr(0, at);
    }
    std::string text = util::printable(line) + (cut ? " …" : "");
    if (text.find_first_not_of(" \t") != std::string::npos) lines.push_back(std::move(text));
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

// "3 shards: 1/3 on host-a (12.0s), 2/3 on host-b (11.5s), ..."
std::string describe_shards(const std::vector<ShardInfo>& shards) {
  std::vector<std::string> parts;
  parts.reserve(shards.size());
  for (const ShardInfo& s : shards)
    parts.push_back(fmt::format("{}/{} on {} ({:.1f}s)", s.index, s.count, s.machine, s.wall_seconds));
  return fmt::format("{} shard{}: {}", shards.size(), shards.size() == 1 ? "" : "s", util::join(parts, ", "));
}

// "95% bounds [0.946, 0.955]": each end is a one-sided bound at that confidence.
std::string format_interval(const checks::Interval& i) {
  double scale = std::max(std::fabs(i.lower), std::fabs(i.upper));
  return fmt::format("{:.4g}% bounds [{}, {}]", (1 + i.level) / 2 * 100, number(i.lower, scale),
                     number(i.upper, scale));
}

std::string number(double value, double scale) {
  if (std::isfinite(value) && std::isfinite(scale) && std::fabs(value) <= kRoundingNoise * std::fabs(scale)) return "0";
  return fmt::format("{:.6g}", value);
}

// "mean 0.951, 95% bounds [0.946, 0.955], mean_at_least 0.95: pass"
double check_scale(const checks::CheckOutcome& outcome) {
  double scale = 0;
  for (const checks::Statistic& s : outcome.statistics) {
    if (std::isfinite(s.value)) scale = std::max(scale, std::fabs(s.value));
    if (s.bound && std::isfinite(s.bound->value)) scale = std::max(scale, std::fabs(s.bound->value));
  }
  return scale;
}

std::string format_statistic(const checks::Statistic& s, double check_scale) {
  double scale = std::max(std::fabs(s.value), check_scale);
  if (s.interval) scale = std::max({scale, std::fabs(s.interval->lower), std::fabs(s.interval->upper)});
  if (s.bound) scale = std::max(scale, std::fabs(s.bound->value));
  std::string text = fmt::format("{} {}", s.name, number(s.value, scale));
  if (s.interval) text += ", " + format_interval(*s.interval);
  if (s.bound)
    text += fmt::format(", {} {}: {}", s.bound->key, number(s.bound->value, scale), checks::to_string(s.verdict));
  return text;
}

std::vector<SeedSummary> seed_summaries(const SweepResults& results) {
  std::vector<SeedSummary> out;
  constexpr double kLevel = 0.95;
  for (const auto& [metric, groups] : distributions(results)) {
    auto goal = results.goals.find(metric);
    for (const auto& [group, values] : groups) {
      std::vector<double> numbers;
      std::vector<std::int64_t> seeds;
      for (const SeedValue& v : values) {
        if (!std::isfinite(v.value)) continue;
        numbers.push_back(v.value);
        seeds.push_back(v.seed);
      }
      if (numbers.empty()) continue;
      checks::Summary s = checks::summarize(numbers);
      SeedSummary summary{metric, group, numbers.size(), s.mean, s.std, {s.mean, s.mean, kLevel}, std::nullopt};
      if (numbers.size() >= 2) {
        summary.mean_interval = checks::mean_interval(numbers, kLevel);
        if (goal != results.goals.end())
          summary.best = checks::best_seed(seeds, numbers, goal->second == checks::Goal::maximize, kLevel);
      }
      out.push_back(std::move(summary));
    }
  }
  return out;
}

namespace {

// A metric's values in 3 significant digits beside its spread, which decides how many decimals say anything.
std::string quoted(double value, double spread) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (!(spread > 0) || !std::isfinite(spread)) return fmt::format("{:.6g}", value);
  int decimals = std::clamp(2 - static_cast<int>(std::floor(std::log10(spread))), 0, 12);
  return fmt::format("{:.{}f}", value, decimals);
}

}  // namespace

std::string mean_std_line(const SeedSummary& s) {
  std::string line = fmt::format("{} ± {} over {} seed{}", quoted(s.mean, s.std), quoted(s.std, s.std), s.seeds,
                                 s.seeds == 1 ? "" : "s");
  if (s.seeds >= 2)
    line += fmt::format(", {:g}% CI [{}, {}]", s.mean_interval.level * 100, quoted(s.mean_interval.lower, s.std),
                        quoted(s.mean_interval.upper, s.std));
  return line;
}

std::string best_seed_line(const SeedSummary& s) {
  if (!s.best) return "";
  const checks::BestSeed& b = *s.best;
  return fmt::format(
      "best seed {}: {}; a fresh seed is expected to score {} ({:g}% prediction interval [{}, {}]); the best of {} "
      "seeds overstates by {:.4f} std = {} on average",
      b.seed, quoted(b.value, s.std), quoted(b.fresh, s.std), b.prediction.level * 100,
      quoted(b.prediction.lower, s.std), quoted(b.prediction.upper, s.std), s.seeds,
      checks::expected_max_normal(s.seeds), quoted(b.expected_optimism, s.std));
}

std::string best_seed_warning(const SeedSummary& s) {
  if (!s.best) return "";
  const checks::BestSeed& b = *s.best;
  double e_n = checks::expected_max_normal(s.seeds);
  return fmt::format(
      "seed {} scored {}; a fresh seed is expected to score {} ({:g}% prediction interval [{}, {}]); choosing it by "
      "this sweep overstates by {} (the best of {} seeds is expected to overstate by {:.4f} std = {})",
      b.seed, quoted(b.value, s.std), quoted(b.fresh, s.std), b.prediction.level * 100,
      quoted(b.prediction.lower, s.std), quoted(b.prediction.upper, s.std), quoted(b.overstates, s.std), s.seeds, e_n,
      quoted(b.expected_optimism, s.std));
}

std::string curve_line(const checks::PredictionDetail& d) {
  if (!d.k_for_most) return "";
  return fmt::format("an ensemble of {} seed{} buys 95% of the gain of all {}", *d.k_for_most,
                     *d.k_for_most == 1 ? "" : "s", d.members.size());
}

std::string curve_points(const checks::PredictionDetail& d) {
  std::vector<std::string> points;
  for (const checks::CurvePoint& p : d.curve)
    points.push_back(p.low == p.high ? fmt::format("{} {:.4g}", p.k, p.mean)
                                     : fmt::format("{} {:.4g} [{:.4g}, {:.4g}]", p.k, p.mean, p.low, p.high));
  return points.empty() ? "" : "ensemble-size curve (seeds: score [5th, 95th percentile]): " + util::join(points, "; ");
}

std::string per_class_line(const checks::PredictionDetail& d) {
  std::vector<std::string> parts;
  for (const checks::ClassChurn& c : d.per_class)
    parts.push_back(fmt::format("{} {:.1f}% ({} examples)", c.label, c.churn * 100, c.examples));
  return parts.empty() ? "" : "churn per class: " + util::join(parts, ", ");
}

std::string prediction_text(double value) {
  if (std::isfinite(value) && value == std::round(value) && std::fabs(value) < 1e15)
    return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{:.6g}", value);
}

std::string seeds_csv(const SweepResults& results) {
  std::set<std::string> metrics, artifacts;
  for (const RunRecord& r : results.runs) {
    for (const auto& [name, value] : r.report.metrics) metrics.insert(name);
    for (const auto& [name, digest] : r.report.digests) artifacts.insert(name);
  }
  // A field as RFC 4180 writes it: quoted when it holds a comma, quote or line end.
  auto field = [](const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::string out = "seed,mode,device,threads,repeat,status";
  for (const std::string& m : metrics) out += "," + field(m);
  for (const std::string& a : artifacts) out += "," + field("digest:" + a);
  out += "\n";
  for (const RunRecord& r : results.runs) {
    out += fmt::format("{},{},{},{},{},{}", r.run.seed, field(r.run.mode), field(r.run.device),
                       r.run.threads > 0 ? std::to_string(r.run.threads) : "", r.run.repeat, to_string(r.status));
    for (const std::string& m : metrics) {
      auto it = r.report.metrics.find(m);
      out += it == r.report.metrics.end() ? "," : "," + util::format_number(it->second);
    }
    for (const std::string& a : artifacts) {
      auto it = r.report.digests.find(a);
      out += "," + (it == r.report.digests.end() ? std::string() : field(it->second));
    }
    out += "\n";
  }
  return out;
}

// "FAIL", or "INCONCLUSIVE (counted as fail)".
std::string check_verdict(const CheckResult& c) {
  std::string word = verdict_word(c.outcome.verdict);
  if (c.outcome.verdict == Verdict::inconclusive)
    word += fmt::format(" (counted as {})", checks::to_string(c.counted_as));
  return word;
}

}  // namespace seedgate::report_parts
