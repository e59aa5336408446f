#pragma once
// Operating characteristics of the checks that take `confidence`: how often
// each verdict comes out when the truth is known. A seeded simulation through
// the real `checks::evaluate`, shared by bench/operating_characteristics.cpp
// (the full tables) and tests/unit/checks/operating_characteristics_test.cpp
// (a fast subset that holds the false-pass rate to its nominal level).
//
// False pass: a pass when the true parameter sits exactly on the bound; at
// confidence c it should happen at most 1 - c of the time. False fail: a fail
// when the truth is clearly good; an inconclusive there is the price of too
// few seeds, not a wrong answer, so it is counted apart.
//
// The metric is accuracy-like, mean 0.90 and seed-to-seed sd 0.01, in three
// shapes (the mean and sd are the true population values in each):
//   normal: N(0.90, 0.01);
//   skewed: 0.90 + E[L] - L, L lognormal with log-sd 0.5: a long tail of bad
//           seeds (skewness -1.75), as "1 - loss" has;
//   coarse: N(mu, 0.01) rounded to 0.01, like accuracy on 100 test examples;
//           its sd is the rounded values' (0.0104), its bounds are the
//           decimals a policy would write.
// Clearly good: a mean or 10% quantile 2 sd better than the bound, a std or
// cv from an sd half as large, a regression candidate drawn like its baseline.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "checks/check.hpp"
#include "checks/intervals.hpp"
#include "checks/sequential.hpp"

namespace seedgate::bench {

inline constexpr double kConfidence = 0.95;
inline constexpr double kNominal = 1 - kConfidence;
inline constexpr std::uint64_t kSeed = 20240611;

// splitmix64 + Box–Muller, as tests/unit/checks/sequential_simulation_test.cpp:
// the same draws on every platform, so the tables reproduce.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : m_state(seed) {}
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  double uniform() {
    std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
  }
  std::uint64_t m_state;
};

enum class Shape { normal, skewed, coarse };
inline constexpr Shape kShapes[] = {Shape::normal, Shape::skewed, Shape::coarse};

inline const char* to_string(Shape shape) {
  switch (shape) {
    case Shape::normal:
      return "normal";
    case Shape::skewed:
      return "skewed";
    case Shape::coarse:
      return "coarse";
  }
  return "?";
}

// A metric's distribution across seeds. normal, skewed: mu and sigma are the
// true mean and sd. coarse: those of the normal before rounding.
struct Population {
  Shape shape = Shape::normal;
  double mu = 0.90;
  double sigma = 0.01;
};

inline Population base_population(Shape shape) {
  Population p;
  p.shape = shape;
  return p;
}

inline constexpr double kStepsPerUnit = 100;  // coarse: a grid of 0.01
inline constexpr double kLogSd = 0.5;         // skewed: the loss's log-sd

// k / 100 is the double a reporter's "0.89" parses to, so a policy's bound
// written as a decimal meets the values exactly as it would in a real sweep.
inline double on_grid(double x) {
  return std::round(x * kStepsPerUnit) / kStepsPerUnit;
}

inline double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// skewed: the loss L's mean (its sd is sigma) and its log's mean.
inline double loss_mean(const Population& p) {
  return p.sigma / std::sqrt(std::expm1(kLogSd * kLogSd));
}
inline double loss_log_mean(const Population& p) {
  return std::log(loss_mean(p)) - kLogSd * kLogSd / 2;
}

inline double draw(const Population& p, Rng& rng) {
  double z = rng.normal();
  switch (p.shape) {
    case Shape::normal:
      return p.mu + p.sigma * z;
    case Shape::skewed:
      return p.mu + loss_mean(p) - std::exp(loss_log_mean(p) + kLogSd * z);
    case Shape::coarse:
      return on_grid(p.mu + p.sigma * z);
  }
  return p.mu;
}

// coarse: the sum of term(x) weighted by the probability of each grid value x.
template <typename Term>
double coarse_expectation(const Population& p, Term term) {
  double half_step = 0.5 / kStepsPerUnit, sum = 0;
  double last = std::ceil((p.mu + 12 * p.sigma) * kStepsPerUnit);
  for (double k = std::floor((p.mu - 12 * p.sigma) * kStepsPerUnit); k <= last; ++k) {
    double x = k / kStepsPerUnit;
    double mass = normal_cdf((x + half_step - p.mu) / p.sigma) - normal_cdf((x - half_step - p.mu) / p.sigma);
    sum += mass * term(x);
  }
  return sum;
}

inline double population_mean(const Population& p) {
  // Rounding a normal centred on a grid value is symmetric: the mean is mu
  // exactly, the decimal a policy would write as the bound.
  if (p.shape != Shape::coarse || on_grid(p.mu) == p.mu) return p.mu;
  return coarse_expectation(p, [](double x) { return x; });
}

inline double population_sd(const Population& p) {
  if (p.shape != Shape::coarse) return p.sigma;
  double mean = population_mean(p);
  return std::sqrt(coarse_expectation(p, [mean](double x) { return (x - mean) * (x - mean); }));
}

// The population moved by delta; a coarse one centred on the grid stays on it.
inline Population shifted(Population p, double delta) {
  bool snap = p.shape == Shape::coarse && on_grid(p.mu) == p.mu;
  p.mu = snap ? on_grid(p.mu + delta) : p.mu + delta;
  return p;
}

inline Population narrowed(Population p, double factor) {
  p.sigma *= factor;
  return p;
}

// A population whose lower `share` quantile is `bound` exactly.
struct Placed {
  Population population;
  double bound = 0;
};

inline Placed on_lower_quantile(Population p, double share) {
  double z = checks::normal_quantile(share);
  if (p.shape == Shape::normal) return {p, p.mu + p.sigma * z};
  if (p.shape == Shape::skewed) return {p, p.mu + loss_mean(p) - std::exp(loss_log_mean(p) - kLogSd * z)};
  // A grid value carries mass, so no quantile of the rounded values is exact
  // by itself: move the normal until `share` of it rounds below a grid value.
  double g = on_grid(p.mu + p.sigma * z + 0.5 / kStepsPerUnit);
  p.mu = g - 0.5 / kStepsPerUnit - p.sigma * z;
  return {p, g};
}

// The checks simulated: a kind with its bounds, as a policy would set them.
enum class Case {
  mean,                 // threshold mean_at_least
  worst_normal,         // threshold worst_at_least, tolerance = "normal", coverage 0.9
  worst_nonparametric,  // threshold worst_at_least, tolerance = "nonparametric", coverage 0.9
  std_at_most,          // variance std_at_most
  cv_at_most,           // variance cv_at_most
  non_inferiority,      // regression, margin
  equivalence,          // regression, comparison = "equivalence"
  std_repeats,          // variance std_at_most over two repeats per seed
};
inline constexpr Case kCases[] = {Case::mean,        Case::worst_normal, Case::worst_nonparametric,
                                  Case::std_at_most, Case::cv_at_most,   Case::non_inferiority,
                                  Case::equivalence, Case::std_repeats};

inline const char* to_string(Case c) {
  switch (c) {
    case Case::mean:
      return "mean";
    case Case::worst_normal:
      return "worst_normal";
    case Case::worst_nonparametric:
      return "worst_nonparametric";
    case Case::std_at_most:
      return "std_at_most";
    case Case::cv_at_most:
      return "cv_at_most";
    case Case::non_inferiority:
      return "non_inferiority";
    case Case::equivalence:
      return "equivalence";
    case Case::std_repeats:
      return "std_repeats";
  }
  return "?";
}

// The repeats case models seed effect plus run noise, both normal.
inline std::span<const Shape> shapes_of(Case c) {
  return c == Case::std_repeats ? std::span<const Shape>(kShapes, 1) : std::span<const Shape>(kShapes);
}

// One way of drawing sweeps and judging them.
struct Scenario {
  checks::CheckSpec spec;
  Population candidate;
  std::optional<Population> baseline;  // regression: the baseline's runs, as many seeds as the candidate's
  double run_sd = 0;                   // > 0: two repeats per seed, each adding run noise of this sd
};

// The same check with the truth on its bound and clearly good.
struct Setting {
  Scenario on_bound;
  Scenario good;
};

inline checks::CheckSpec make_spec(checks::KindSpec params) {
  checks::CheckSpec spec;
  spec.name = "operating-characteristics";
  spec.metric = "accuracy";
  spec.confidence = kConfidence;
  spec.params = std::move(params);
  return spec;
}

inline Scenario scenario(checks::CheckSpec spec, Population candidate) {
  Scenario s;
  s.spec = std::move(spec);
  s.candidate = candidate;
  return s;
}

inline Setting mean_setting(Shape shape) {
  Population p = base_population(shape);
  checks::ThresholdSpec threshold;
  threshold.mean = checks::Bound{"mean_at_least", population_mean(p)};
  checks::CheckSpec spec = make_spec(threshold);
  return {scenario(spec, p), scenario(spec, shifted(p, 2 * p.sigma))};
}

inline Setting worst_setting(Shape shape, checks::Tolerance tolerance) {
  checks::ThresholdSpec threshold;
  threshold.coverage = 0.9;
  threshold.tolerance = tolerance;
  Placed placed = on_lower_quantile(base_population(shape), 1 - threshold.coverage);
  threshold.worst = checks::Bound{"worst_at_least", placed.bound};
  checks::CheckSpec spec = make_spec(threshold);
  Population p = placed.population;
  return {scenario(spec, p), scenario(spec, shifted(p, 2 * p.sigma))};
}

inline Setting std_setting(Shape shape) {
  Population p = base_population(shape);
  checks::VarianceSpec variance;
  variance.std_at_most = population_sd(p);
  checks::CheckSpec spec = make_spec(variance);
  return {scenario(spec, p), scenario(spec, narrowed(p, 0.5))};
}

inline Setting cv_setting(Shape shape) {
  Population p = base_population(shape);
  checks::VarianceSpec variance;
  variance.cv_at_most = population_sd(p) / population_mean(p);
  checks::CheckSpec spec = make_spec(variance);
  return {scenario(spec, p), scenario(spec, narrowed(p, 0.5))};
}

// On the bound the candidate is worse than the baseline by exactly the
// margin (2 sd); good, it is drawn like the baseline.
inline Setting regression_setting(Shape shape, checks::Comparison comparison) {
  Population base = base_population(shape);
  checks::RegressionSpec regression;
  regression.margin = 0.02;
  regression.comparison = comparison;
  checks::CheckSpec spec = make_spec(regression);
  Setting setting{scenario(spec, shifted(base, -regression.margin)), scenario(spec, base)};
  setting.on_bound.baseline = setting.good.baseline = base;
  return setting;
}

// One run's std is 0.02: seed sd 0.01 and run sd 0.0173 (0.02^2 = 0.01^2 +
// 0.0173^2). Good: both halved, one run's std 0.01.
inline Setting std_repeats_setting() {
  constexpr double single_run_std = 0.02, seed_sd = 0.01;
  checks::VarianceSpec variance;
  variance.std_at_most = single_run_std;
  checks::CheckSpec spec = make_spec(variance);
  Population seeds = base_population(Shape::normal);
  seeds.sigma = seed_sd;
  Setting setting{scenario(spec, seeds), scenario(spec, narrowed(seeds, 0.5))};
  setting.on_bound.run_sd = std::sqrt(single_run_std * single_run_std - seed_sd * seed_sd);
  setting.good.run_sd = setting.on_bound.run_sd / 2;
  return setting;
}

inline Setting setting(Case c, Shape shape) {
  switch (c) {
    case Case::mean:
      return mean_setting(shape);
    case Case::worst_normal:
      return worst_setting(shape, checks::Tolerance::normal);
    case Case::worst_nonparametric:
      return worst_setting(shape, checks::Tolerance::nonparametric);
    case Case::std_at_most:
      return std_setting(shape);
    case Case::cv_at_most:
      return cv_setting(shape);
    case Case::non_inferiority:
      return regression_setting(shape, checks::Comparison::non_inferiority);
    case Case::equivalence:
      return regression_setting(shape, checks::Comparison::equivalence);
    case Case::std_repeats:
      return std_repeats_setting();
  }
  return mean_setting(shape);
}

// Verdicts over sweeps.
struct Tally {
  int sweeps = 0, pass = 0, fail = 0, inconclusive = 0, error = 0;
  double seeds = 0;  // seeds judged, summed over sweeps

  void add(checks::Verdict verdict, std::size_t used) {
    ++sweeps;
    pass += verdict == checks::Verdict::pass;
    fail += verdict == checks::Verdict::fail;
    inconclusive += verdict == checks::Verdict::inconclusive;
    error += verdict == checks::Verdict::error;
    seeds += static_cast<double>(used);
  }
  double rate(int count) const { return sweeps ? static_cast<double>(count) / sweeps : 0; }
  double mean_seeds() const { return sweeps ? seeds / sweeps : 0; }
};

// One sweep's runs as the harness records them: seeds 0..n-1, `repeats` runs
// each, sorted by seed then repeat, on one mode and device.
inline std::vector<checks::Observation> make_runs(std::size_t seeds, int repeats) {
  std::vector<checks::Observation> runs;
  for (std::size_t seed = 0; seed < seeds; ++seed) {
    for (int repeat = 0; repeat < repeats; ++repeat) {
      checks::Observation o;
      o.seed = static_cast<std::int64_t>(seed);
      o.repeat = repeat;
      o.mode = "default";
      o.device = "cpu";
      o.metrics["accuracy"] = 0;
      runs.push_back(std::move(o));
    }
  }
  return runs;
}

// A fresh sweep: each seed draws its value once, each repeat adds run noise.
inline void draw_runs(std::vector<checks::Observation>& runs, const Population& p, double run_sd, Rng& rng) {
  double seed_value = 0;
  for (checks::Observation& o : runs) {
    if (o.repeat == 0) seed_value = draw(p, rng);
    o.metrics["accuracy"] = run_sd > 0 ? seed_value + run_sd * rng.normal() : seed_value;
  }
}

inline Tally simulate(const Scenario& s, std::size_t n, int sweeps, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<checks::Observation> runs = make_runs(n, s.run_sd > 0 ? 2 : 1);
  std::vector<checks::Observation> baseline = s.baseline ? make_runs(n, 1) : std::vector<checks::Observation>{};
  Tally tally;
  for (int i = 0; i < sweeps; ++i) {
    draw_runs(runs, s.candidate, s.run_sd, rng);
    if (s.baseline) draw_runs(baseline, *s.baseline, 0, rng);
    tally.add(checks::evaluate(s.spec, runs, baseline).verdict, n);
  }
  return tally;
}

// inconclusive = "more-seeds": looks at `looks` seeds, each at the confidence
// its share of the error rate gives, stopping at the first pass or fail.
inline Tally simulate_sequential(const Scenario& s, checks::Spending spending, const std::vector<std::size_t>& looks,
                                 int sweeps, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<checks::Observation> runs = make_runs(looks.back(), 1);
  checks::CheckSpec spec = s.spec;
  Tally tally;
  for (int i = 0; i < sweeps; ++i) {
    draw_runs(runs, s.candidate, 0, rng);
    checks::Verdict verdict = checks::Verdict::inconclusive;
    std::size_t used = 0;
    for (std::size_t k = 0; k < looks.size() && verdict == checks::Verdict::inconclusive; ++k) {
      used = looks[k];
      spec.confidence = 1 - checks::look_alpha(spending, kNominal, looks, k);
      verdict = checks::evaluate(spec, std::span<const checks::Observation>(runs.data(), used)).verdict;
    }
    tally.add(verdict, used);
  }
  return tally;
}

// The spending functions checks/sequential.hpp declares: Bonferroni (an even
// split over the looks) joins pocock and obrien_fleming where it exists.
template <typename S = checks::Spending>
std::vector<S> spending_functions() {
  if constexpr (requires { S::bonferroni; }) {
    return {S::pocock, S::obrien_fleming, S::bonferroni};
  } else {
    return {S::pocock, S::obrien_fleming};
  }
}

inline const std::vector<std::size_t>& sequential_looks() {
  static const std::vector<std::size_t> looks = checks::planned_looks(5, 5, 20);
  return looks;
}

// Each cell draws from its own stream, so a row does not depend on which
// other rows ran or in what order: the unit test's cells are the bench's.
inline std::uint64_t cell_seed(Case c, Shape shape, std::size_t n, bool good) {
  std::uint64_t id = ((static_cast<std::uint64_t>(c) * 8 + static_cast<std::uint64_t>(shape)) * 64 + n) * 2 + good;
  return kSeed ^ (id * 0x9e3779b97f4a7c15ull);
}

// The sequential cells' streams, apart from the fixed-n cells'.
inline std::uint64_t sequential_seed(checks::Spending spending, Shape shape, bool good) {
  std::uint64_t id = (static_cast<std::uint64_t>(spending) * 8 + static_cast<std::uint64_t>(shape)) * 2 + good;
  return ~kSeed ^ (id * 0xbf58476d1ce4e5b9ull);
}

// One row of a table: the check with the truth on its bound and clearly good.
struct Row {
  Tally on_bound;
  Tally good;
  Tally modest;  // sequential: the true mean 0.6 sd above the bound, where power tells designs apart
};

// The effect at which the sequential table compares power: a fixed test on
// 20 seeds detects it about 85% of the time.
inline constexpr double kModestEffect = 0.6;

inline Row run_cell(Case c, Shape shape, std::size_t n, int sweeps) {
  Setting s = setting(c, shape);
  return {simulate(s.on_bound, n, sweeps, cell_seed(c, shape, n, false)),
          simulate(s.good, n, sweeps, cell_seed(c, shape, n, true)), Tally{}};
}

inline Row run_sequential(checks::Spending spending, Shape shape, int sweeps) {
  Setting s = mean_setting(shape);
  Scenario modest = s.on_bound;
  modest.candidate = shifted(s.on_bound.candidate, kModestEffect * s.on_bound.candidate.sigma);
  return {
      simulate_sequential(s.on_bound, spending, sequential_looks(), sweeps, sequential_seed(spending, shape, false)),
      simulate_sequential(s.good, spending, sequential_looks(), sweeps, sequential_seed(spending, shape, true)),
      simulate_sequential(modest, spending, sequential_looks(), sweeps, ~sequential_seed(spending, shape, true))};
}

// Futility: two checks judged together, both sequential (inconclusive =
// "more-seeds"): threshold mean_at_least, whose bound the programs below
// sit around, and variance std_at_most at twice the true sd, a spread clearly
// within its bound that a few seeds still cannot tell from it. Today's rule
// runs the next look while either is undecided; with futility stops the sweep
// also ends at the first look where one has failed, since a sequential check a
// look decided stays decided (harness/evaluate.cpp). Each look judges the
// undecided checks at that look's boundary, exactly as the harness's judge()
// does, so a decided check's verdict is the one every later look returns.
enum class Program { bad, borderline, good };
inline constexpr Program kPrograms[] = {Program::bad, Program::borderline, Program::good};

inline const char* to_string(Program program) {
  switch (program) {
    case Program::bad:
      return "bad";
    case Program::borderline:
      return "borderline";
    case Program::good:
      return "good";
  }
  return "?";
}

// How far the program's true mean sits from the mean's bound, in sd.
inline constexpr double kFutilityOffset = 2;
// std_at_most over the true sd.
inline constexpr double kFutilitySpread = 2;

struct FutilitySetting {
  checks::CheckSpec mean;
  checks::CheckSpec spread;
  Population program;
};

inline FutilitySetting futility_setting(Shape shape, Program program) {
  Population p = base_population(shape);
  checks::ThresholdSpec threshold;
  threshold.mean = checks::Bound{"mean_at_least", population_mean(p)};
  checks::VarianceSpec variance;
  variance.std_at_most = kFutilitySpread * population_sd(p);
  double offset = program == Program::bad ? -kFutilityOffset : program == Program::good ? kFutilityOffset : 0;
  return {make_spec(threshold), make_spec(variance), shifted(p, offset * p.sigma)};
}

// Sweep verdicts and seeds used, with futility stops and by today's rule.
struct FutilityTally {
  Tally with_futility;
  Tally without_futility;
};

// The sweep's verdict from its checks' verdicts at the look it stopped at, as
// evaluate_policy gives it: a failure wins, then an error; an undecided check
// counts as a failure (at the last look) or, stopped early, is outweighed by
// the failure that stopped it.
inline checks::Verdict sweep_verdict(std::span<const checks::Verdict> verdicts) {
  auto any = [&](checks::Verdict v) { return std::find(verdicts.begin(), verdicts.end(), v) != verdicts.end(); };
  if (any(checks::Verdict::fail) || any(checks::Verdict::inconclusive)) return checks::Verdict::fail;
  return any(checks::Verdict::error) ? checks::Verdict::error : checks::Verdict::pass;
}

inline FutilityTally simulate_futility(const FutilitySetting& setting, checks::Spending spending,
                                       const std::vector<std::size_t>& looks, int sweeps, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<checks::Observation> runs = make_runs(looks.back(), 1);
  checks::CheckSpec specs[] = {setting.mean, setting.spread};
  FutilityTally tally;
  for (int i = 0; i < sweeps; ++i) {
    draw_runs(runs, setting.program, 0, rng);
    // Each check's verdict: a decided one (pass, fail) stays; the others are
    // judged again at the next look.
    checks::Verdict verdicts[] = {checks::Verdict::inconclusive, checks::Verdict::inconclusive};
    bool futility_recorded = false;
    for (std::size_t k = 0; k < looks.size(); ++k) {
      for (std::size_t c = 0; c < std::size(specs); ++c) {
        if (verdicts[c] == checks::Verdict::pass || verdicts[c] == checks::Verdict::fail) continue;
        specs[c].confidence = 1 - checks::look_alpha(spending, kNominal, looks, k);
        verdicts[c] = checks::evaluate(specs[c], std::span<const checks::Observation>(runs.data(), looks[k])).verdict;
      }
      bool open =
          std::find(std::begin(verdicts), std::end(verdicts), checks::Verdict::inconclusive) != std::end(verdicts);
      bool failed = std::find(std::begin(verdicts), std::end(verdicts), checks::Verdict::fail) != std::end(verdicts);
      bool last = k + 1 == looks.size();
      if (!futility_recorded && (!open || failed || last)) {
        tally.with_futility.add(sweep_verdict(verdicts), looks[k]);
        futility_recorded = true;
      }
      if (!open || last) {
        tally.without_futility.add(sweep_verdict(verdicts), looks[k]);
        break;
      }
    }
  }
  return tally;
}

// The futility cells' streams, apart from the other tables'.
inline std::uint64_t futility_seed(checks::Spending spending, Shape shape, Program program) {
  std::uint64_t id = (static_cast<std::uint64_t>(spending) * 8 + static_cast<std::uint64_t>(shape)) * 4 +
                     static_cast<std::uint64_t>(program);
  return kSeed ^ 0x5bd1e995u ^ (id * 0xd6e8feb86659fd93ull);
}

inline FutilityTally run_futility(checks::Spending spending, Shape shape, Program program, int sweeps) {
  return simulate_futility(futility_setting(shape, program), spending, sequential_looks(), sweeps,
                           futility_seed(spending, shape, program));
}

// The false-pass rate allowed for simulation error: nominal + 3 standard errors.
inline double false_pass_limit(int sweeps) {
  return kNominal + 3 * std::sqrt(kNominal * (1 - kNominal) / sweeps);
}

}  // namespace seedgate::bench
