#include "checks/variants.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "checks/stats.hpp"

namespace seedgate::checks {
namespace {

void require_finite(std::span<const double> values, const char* what) {
  for (double v : values)
    if (!std::isfinite(v)) throw std::invalid_argument(fmt::format("{}: a value is not finite", what));
}

void require_level(double level, const char* what) {
  if (!(level > 0 && level < 1)) throw std::invalid_argument(fmt::format("{}: level must be in (0, 1)", what));
}

void require_strata(const Strata& strata, const char* what) {
  if (strata.empty()) throw std::invalid_argument(fmt::format("{}: no strata", what));
  for (const auto& s : strata) {
    if (s.empty()) throw std::invalid_argument(fmt::format("{}: a stratum has no values", what));
    require_finite(s, what);
  }
}

// x better than y: 1; equal: 1/2; worse: 0.
double beats(double x, double y, Goal goal) {
  if (x == y) return 0.5;
  return (goal == Goal::maximize) == (x > y) ? 1.0 : 0.0;
}

Interval percentile_interval(std::vector<double>& replicates, double level) {
  std::sort(replicates.begin(), replicates.end());
  double tail = (1 - level) / 2;
  return {quantile_of_sorted(replicates, tail), quantile_of_sorted(replicates, 1 - tail), level};
}

std::uint32_t draw_index(Xoshiro256& rng, std::size_t n) {
  return rng.below(static_cast<std::uint32_t>(n));
}

// Shifted by the first value, so that equal values give exactly 0 (the mean
// of ten 0.9s is not 0.9 in floating point) and offsets cost no precision.
double sample_variance(std::span<const double> values) {
  double shift = values.front(), mean = 0;
  for (double v : values) mean += v - shift;
  mean /= static_cast<double>(values.size());
  double ss = 0;
  for (double v : values) ss += (v - shift - mean) * (v - shift - mean);
  return ss / static_cast<double>(values.size() - 1);
}

void require_table(const std::vector<std::vector<double>>& values, const char* what) {
  if (values.empty()) throw std::invalid_argument(fmt::format("{}: no variants", what));
  std::size_t seeds = values.front().size();
  if (seeds == 0) throw std::invalid_argument(fmt::format("{}: no seeds", what));
  for (const auto& v : values) {
    if (v.size() != seeds)
      throw std::invalid_argument(
          fmt::format("{}: variants ran different numbers of seeds ({} and {})", what, seeds, v.size()));
    require_finite(v, what);
  }
}

ComponentEstimate component(double raw) {
  ComponentEstimate c;
  c.raw = raw;
  c.truncated = raw < 0;
  c.variance = std::max(0.0, raw);
  return c;
}

}  // namespace

IqmResult stratified_iqm(const Strata& strata, double level, const BootstrapOptions& options) {
  require_strata(strata, "stratified iqm");
  require_level(level, "stratified iqm");
  std::vector<double> pooled;
  for (const auto& s : strata) pooled.insert(pooled.end(), s.begin(), s.end());
  if (pooled.size() < 2) throw std::invalid_argument("stratified iqm: needs two values or more");
  IqmResult result;
  result.values = pooled.size();
  result.estimate = interquartile_mean(pooled);
  if (options.resamples == 0) {
    result.interval = {result.estimate, result.estimate, level};
    return result;
  }
  Xoshiro256 rng(options.seed);
  std::vector<double> replicates(options.resamples);
  std::vector<double> resample(pooled.size());
  for (double& replicate : replicates) {
    std::size_t k = 0;
    for (const auto& s : strata)
      for (std::size_t i = 0; i < s.size(); ++i) resample[k++] = s[draw_index(rng, s.size())];
    replicate = interquartile_mean(resample);
  }
  result.interval = percentile_interval(replicates, level);
  return result;
}

double improvement_probability(std::span<const double> x, std::span<const double> y, Goal goal) {
  if (x.empty() || y.empty()) throw std::invalid_argument("probability of improvement: a side has no values");
  require_finite(x, "probability of improvement");
  require_finite(y, "probability of improvement");
  double p = mann_whitney(x, y).prob_greater;
  return goal == Goal::maximize ? p : 1 - p;
}

double paired_improvement_probability(std::span<const double> x, std::span<const double> y, Goal goal) {
  if (x.size() != y.size()) throw std::invalid_argument("paired probability of improvement: sides differ in length");
  if (x.empty()) throw std::invalid_argument("paired probability of improvement: no seeds");
  require_finite(x, "paired probability of improvement");
  require_finite(y, "paired probability of improvement");
  double wins = 0;
  for (std::size_t i = 0; i < x.size(); ++i) wins += beats(x[i], y[i], goal);
  return wins / static_cast<double>(x.size());
}

namespace {

// The percentile interval of `options.resamples` replicates, each drawn by
// `replicate` from one seeded generator; the point itself without resamples.
template <typename Replicate>
Interval resampled_interval(double point, double level, const BootstrapOptions& options, Replicate replicate) {
  if (options.resamples == 0) return {point, point, level};
  Xoshiro256 rng(options.seed);
  std::vector<double> replicates(options.resamples);
  for (double& value : replicates) value = replicate(rng);
  return percentile_interval(replicates, level);
}

}  // namespace

ImprovementResult probability_of_improvement(const Strata& x, const Strata& y, Goal goal, double level,
                                             const BootstrapOptions& options) {
  require_strata(x, "probability of improvement");
  require_strata(y, "probability of improvement");
  require_level(level, "probability of improvement");
  if (x.size() != y.size()) throw std::invalid_argument("probability of improvement: sides have different strata");
  ImprovementResult result;
  result.strata = x.size();
  // Each stratum's table of pairwise outcomes, so a replicate only re-indexes.
  std::vector<std::vector<double>> outcomes(x.size());
  for (std::size_t t = 0; t < x.size(); ++t) {
    outcomes[t].resize(x[t].size() * y[t].size());
    for (std::size_t i = 0; i < x[t].size(); ++i)
      for (std::size_t j = 0; j < y[t].size(); ++j) outcomes[t][i * y[t].size() + j] = beats(x[t][i], y[t][j], goal);
  }
  double sum = 0;
  for (std::size_t t = 0; t < x.size(); ++t) sum += improvement_probability(x[t], y[t], goal);
  result.probability = sum / static_cast<double>(x.size());
  std::vector<std::size_t> xi, yi;
  result.interval = resampled_interval(result.probability, level, options, [&](Xoshiro256& rng) {
    double total = 0;
    for (std::size_t t = 0; t < x.size(); ++t) {
      std::size_t n = x[t].size(), m = y[t].size();
      xi.resize(n);
      yi.resize(m);
      for (auto& i : xi) i = draw_index(rng, n);
      for (auto& j : yi) j = draw_index(rng, m);
      double wins = 0;
      for (std::size_t i : xi)
        for (std::size_t j : yi) wins += outcomes[t][i * m + j];
      total += wins / static_cast<double>(n * m);
    }
    return total / static_cast<double>(x.size());
  });
  return result;
}

ImprovementResult paired_probability_of_improvement(const Strata& x, const Strata& y, Goal goal, double level,
                                                    const BootstrapOptions& options) {
  require_strata(x, "paired probability of improvement");
  require_strata(y, "paired probability of improvement");
  require_level(level, "paired probability of improvement");
  if (x.size() != y.size())
    throw std::invalid_argument("paired probability of improvement: sides have different strata");
  std::vector<std::vector<double>> outcomes(x.size());
  double sum = 0;
  for (std::size_t t = 0; t < x.size(); ++t) {
    if (x[t].size() != y[t].size())
      throw std::invalid_argument(
          fmt::format("paired probability of improvement: stratum {} has {} seeds on one side and {} on the other", t,
                      x[t].size(), y[t].size()));
    for (std::size_t i = 0; i < x[t].size(); ++i) outcomes[t].push_back(beats(x[t][i], y[t][i], goal));
    sum += paired_improvement_probability(x[t], y[t], goal);
  }
  ImprovementResult result;
  result.strata = x.size();
  result.probability = sum / static_cast<double>(x.size());
  result.interval = resampled_interval(result.probability, level, options, [&](Xoshiro256& rng) {
    double total = 0;
    for (const auto& o : outcomes) {
      double wins = 0;
      for (std::size_t i = 0; i < o.size(); ++i) wins += o[draw_index(rng, o.size())];
      total += wins / static_cast<double>(o.size());
    }
    return total / static_cast<double>(outcomes.size());
  });
  return result;
}

PairedDifferences paired_differences(std::span<const double> x, std::span<const double> y, Goal goal, double margin,
                                     double confidence) {
  if (x.size() != y.size()) throw std::invalid_argument("paired differences: sides differ in length");
  if (x.size() < 2) throw std::invalid_argument("paired differences: needs two seeds or more");
  if (!(margin >= 0) || !std::isfinite(margin))
    throw std::invalid_argument("paired differences: margin must be finite and >= 0");
  if (!(confidence > 0.5 && confidence < 1))
    throw std::invalid_argument("paired differences: confidence must be in (0.5, 1)");
  require_finite(x, "paired differences");
  require_finite(y, "paired differences");
  PairedDifferences result;
  result.margin = margin;
  result.confidence = confidence;
  double level = 2 * confidence - 1;
  result.improvement = goal == Goal::maximize ? paired_t_test(x, y, level) : paired_t_test(y, x, level);
  result.non_inferiority_p = non_inferiority_p(result.improvement, margin);
  result.non_inferior = result.non_inferiority_p < 1 - confidence;
  result.superior = non_inferiority_p(result.improvement, 0) < 1 - confidence;
  return result;
}

std::vector<std::vector<double>> ranks_per_seed(const std::vector<std::vector<double>>& values, Goal goal) {
  require_table(values, "ranks per seed");
  std::size_t variants = values.size(), seeds = values.front().size();
  std::vector<std::vector<double>> ranks(variants, std::vector<double>(seeds));
  std::vector<std::size_t> order(variants);
  for (std::size_t s = 0; s < seeds; ++s) {
    std::iota(order.begin(), order.end(), 0);
    // Best first.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return goal == Goal::maximize ? values[a][s] > values[b][s] : values[a][s] < values[b][s];
    });
    for (std::size_t i = 0; i < variants;) {
      std::size_t j = i;
      while (j + 1 < variants && values[order[j + 1]][s] == values[order[i]][s]) ++j;
      double rank = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2;
      for (std::size_t k = i; k <= j; ++k) ranks[order[k]][s] = rank;
      i = j + 1;
    }
  }
  return ranks;
}

TuningTrap tuning_trap(const std::vector<std::vector<double>>& values, Goal goal) {
  std::vector<std::vector<double>> ranks = ranks_per_seed(values, goal);
  std::size_t variants = values.size(), seeds = values.front().size();
  TuningTrap trap;
  trap.means.resize(variants);
  trap.mean_ranks.resize(variants);
  for (std::size_t v = 0; v < variants; ++v) {
    trap.means[v] = std::accumulate(values[v].begin(), values[v].end(), 0.0) / static_cast<double>(seeds);
    trap.mean_ranks[v] = std::accumulate(ranks[v].begin(), ranks[v].end(), 0.0) / static_cast<double>(seeds);
  }
  for (std::size_t v = 1; v < variants; ++v) {
    bool better = goal == Goal::maximize ? trap.means[v] > trap.means[trap.best_on_mean]
                                         : trap.means[v] < trap.means[trap.best_on_mean];
    if (better) trap.best_on_mean = v;
  }
  trap.wins.assign(variants, 0);
  trap.winners.resize(seeds);
  for (std::size_t s = 0; s < seeds; ++s) {
    double best = ranks[0][s];
    for (std::size_t v = 1; v < variants; ++v) best = std::min(best, ranks[v][s]);
    for (std::size_t v = 0; v < variants; ++v)
      if (ranks[v][s] == best) trap.winners[s].push_back(v);
    for (std::size_t v : trap.winners[s]) trap.wins[v] += 1.0 / static_cast<double>(trap.winners[s].size());
    if (std::find(trap.winners[s].begin(), trap.winners[s].end(), trap.best_on_mean) == trap.winners[s].end())
      trap.trap_seeds.push_back(s);
  }
  trap.win_share.resize(variants);
  for (std::size_t v = 0; v < variants; ++v) trap.win_share[v] = trap.wins[v] / static_cast<double>(seeds);
  return trap;
}

std::string describe_tuning_trap(const TuningTrap& trap, const std::vector<std::string>& names,
                                 const std::vector<std::int64_t>& seeds) {
  if (!trap.trapped()) return {};
  if (names.size() != trap.means.size()) throw std::invalid_argument("tuning trap: one name per variant is needed");
  if (seeds.size() != trap.winners.size())
    throw std::invalid_argument("tuning trap: one seed value per seed is needed");
  std::size_t seed = trap.trap_seeds.front();
  const auto& winners = trap.winners[seed];
  std::string picked = names[winners.front()];
  for (std::size_t i = 1; i < winners.size(); ++i)
    picked += (i + 1 == winners.size() ? " or " : ", ") + names[winners[i]];
  return fmt::format("seed {} picks {}, but {} is best on average (wins {:g} of {} seeds)", seeds[seed], picked,
                     names[trap.best_on_mean], trap.wins[trap.best_on_mean], seeds.size());
}

double nadeau_bengio_factor(std::size_t resamples, double test_train_ratio) {
  if (resamples == 0) throw std::invalid_argument("nadeau-bengio factor: needs one resample or more");
  if (!(test_train_ratio >= 0) || !std::isfinite(test_train_ratio))
    throw std::invalid_argument("nadeau-bengio factor: n_test/n_train must be finite and >= 0");
  return 1.0 / static_cast<double>(resamples) + test_train_ratio;
}

double test_train_ratio(double test_fraction) {
  if (!(test_fraction >= 0 && test_fraction < 1)) throw std::invalid_argument("test fraction must be in [0, 1)");
  return test_fraction / (1 - test_fraction);
}

CorrectedResampledT corrected_resampled_t(std::span<const double> values, double test_train_ratio, double level) {
  if (values.size() < 2) throw std::invalid_argument("corrected resampled t: needs two values or more");
  require_finite(values, "corrected resampled t");
  require_level(level, "corrected resampled t");
  CorrectedResampledT r;
  Summary s = summarize(values);
  r.mean = s.mean;
  r.std = s.std;
  r.factor = nadeau_bengio_factor(values.size(), test_train_ratio);
  r.standard_error = std::sqrt(r.factor) * s.std;
  r.df = static_cast<double>(values.size() - 1);
  double half = student_t_quantile(r.df, 1 - (1 - level) / 2) * r.standard_error;
  r.interval = {r.mean - half, r.mean + half, level};
  return r;
}

CrossedComponents crossed_components(const std::vector<std::vector<std::vector<double>>>& cells) {
  std::size_t a = cells.size();
  if (a < 2) throw std::invalid_argument("crossed components: needs two seeds or more");
  std::size_t b = cells.front().size();
  if (b < 2) throw std::invalid_argument("crossed components: needs two folds or more");
  std::size_t r = cells.front().front().size();
  if (r < 1) throw std::invalid_argument("crossed components: a cell has no runs");
  for (std::size_t i = 0; i < a; ++i) {
    if (cells[i].size() != b)
      throw std::invalid_argument(
          fmt::format("crossed components: seed {} has {} folds, seed 0 has {} (the design must be balanced)", i,
                      cells[i].size(), b));
    for (std::size_t j = 0; j < b; ++j) {
      if (cells[i][j].size() != r)
        throw std::invalid_argument(fmt::format(
            "crossed components: seed {} fold {} has {} runs, seed 0 fold 0 has {} (the design must be balanced)", i, j,
            cells[i][j].size(), r));
      require_finite(cells[i][j], "crossed components");
    }
  }
  double da = static_cast<double>(a), db = static_cast<double>(b), dr = static_cast<double>(r);
  std::vector<std::vector<double>> cell_mean(a, std::vector<double>(b));
  std::vector<double> seed_mean(a, 0), fold_mean(b, 0);
  double grand = 0, ss_e = 0;
  for (std::size_t i = 0; i < a; ++i)
    for (std::size_t j = 0; j < b; ++j) {
      double m = std::accumulate(cells[i][j].begin(), cells[i][j].end(), 0.0) / dr;
      cell_mean[i][j] = m;
      for (double v : cells[i][j]) ss_e += (v - m) * (v - m);
      seed_mean[i] += m / db;
      fold_mean[j] += m / da;
      grand += m / (da * db);
    }
  double ss_a = 0, ss_b = 0, ss_ab = 0;
  for (std::size_t i = 0; i < a; ++i) ss_a += db * dr * (seed_mean[i] - grand) * (seed_mean[i] - grand);
  for (std::size_t j = 0; j < b; ++j) ss_b += da * dr * (fold_mean[j] - grand) * (fold_mean[j] - grand);
  for (std::size_t i = 0; i < a; ++i)
    for (std::size_t j = 0; j < b; ++j) {
      double e = cell_mean[i][j] - seed_mean[i] - fold_mean[j] + grand;
      ss_ab += dr * e * e;
    }
  CrossedComponents c;
  c.seeds = a;
  c.folds = b;
  c.replicates = r;
  c.ms_seed = ss_a / (da - 1);
  c.ms_fold = ss_b / (db - 1);
  c.ms_interaction = ss_ab / ((da - 1) * (db - 1));
  c.interaction_separable = r >= 2;
  c.seed = component((c.ms_seed - c.ms_interaction) / (db * dr));
  c.fold = component((c.ms_fold - c.ms_interaction) / (da * dr));
  if (c.interaction_separable) {
    c.ms_run = ss_e / (da * db * (dr - 1));
    c.interaction = component((c.ms_interaction - c.ms_run) / dr);
    c.run = component(c.ms_run);
  } else {
    c.ms_run = c.ms_interaction;
    c.run = component(c.ms_interaction);
  }
  double total = c.seed.variance + c.fold.variance + c.interaction.variance + c.run.variance;
  if (total > 0)
    for (ComponentEstimate* e : {&c.seed, &c.fold, &c.interaction, &c.run}) e->share = e->variance / total;
  return c;
}

VarianceShares variance_shares(const std::vector<SourceSample>& sources,
                               const std::vector<std::vector<double>>& repeats) {
  if (sources.empty()) throw std::invalid_argument("variance shares: no sources");
  VarianceShares result;
  double noise = 0;
  if (!repeats.empty()) {
    double ss = 0;
    std::size_t df = 0, runs = 0;
    for (const auto& group : repeats) {
      if (group.size() < 2) throw std::invalid_argument("variance shares: a group of repeats has fewer than two runs");
      require_finite(group, "variance shares");
      ss += sample_variance(group) * static_cast<double>(group.size() - 1);
      df += group.size() - 1;
      runs += group.size();
    }
    noise = ss / static_cast<double>(df);
    result.has_run_to_run = true;
    result.run_to_run.source = "run-to-run";
    result.run_to_run.observed = result.run_to_run.variance = noise;
    result.run_to_run.runs = runs;
  }
  for (const auto& s : sources) {
    if (s.values.size() < 2)
      throw std::invalid_argument(fmt::format("variance shares: source \"{}\" has fewer than two runs", s.source));
    require_finite(s.values, "variance shares");
    SourceShare share;
    share.source = s.source;
    share.runs = s.values.size();
    share.observed = sample_variance(s.values);
    share.truncated = share.observed < noise;
    share.variance = std::max(0.0, share.observed - noise);
    result.sources.push_back(share);
  }
  result.total = noise;
  for (const auto& s : result.sources) result.total += s.variance;
  if (result.total > 0) {
    for (auto& s : result.sources) s.share = s.variance / result.total;
    result.run_to_run.share = noise / result.total;
  }
  return result;
}

}  // namespace seedgate::checks
