// The drift kind's statistics (checks/drift.hpp): the shift rule's
// prediction interval and the CUSUM against hand computations, then a
// seeded simulation of nightly sweeps that measures the per-sweep
// false-alarm rates the README quotes and how fast a slow drift is caught.
// The simulation prints its table; the README's figures are copied from it.
#include "checks/drift.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace seedgate::checks {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

SweepLevel level(double mean, bool accepted = true, std::size_t seeds = 1, double variance = 0) {
  SweepLevel out;
  out.accepted = accepted;
  out.seeds = seeds;
  out.mean = mean;
  out.variance = variance;
  return out;
}

std::vector<SweepLevel> levels(const std::vector<double>& means, std::size_t seeds = 1, double variance = 0) {
  std::vector<SweepLevel> out;
  out.reserve(means.size());
  for (double m : means) out.push_back(level(m, true, seeds, variance));
  return out;
}

// Ten nights of an accuracy; mean 0.9112, std of the means 0.005652924513520025
// (numpy: m.mean(), m.std(ddof=1)).
const std::vector<double> kTenNights = {0.912, 0.905, 0.918, 0.909, 0.915, 0.902, 0.911, 0.920, 0.907, 0.913};

// ---- shift ------------------------------------------------------------------

TEST(DriftShift, IsTheTPredictionIntervalForOneMoreSweepsMean) {
  // One seed a sweep: no seed noise to separate, so the interval is
  // mean ± t(9, 0.995) · sd · sqrt(1 + 1/10), t(9, 0.995) = 3.2498355440153697
  // (scipy.stats.t.ppf(0.995, 9)): [0.8919322539773596, 0.9304677460226404].
  std::vector<SweepLevel> past = levels(kTenNights);
  DriftAnalysis a = analyse_drift(past, level(0.9), DriftOptions{});
  EXPECT_EQ(a.reference, 10u);
  EXPECT_NEAR(a.reference_mean, 0.9112, 1e-12);
  EXPECT_NEAR(a.expected.lower, 0.8919322539773596, 1e-10);
  EXPECT_NEAR(a.expected.upper, 0.9304677460226404, 1e-10);
  EXPECT_FALSE(a.shift_alarm);
  EXPECT_TRUE(analyse_drift(past, level(0.8919), DriftOptions{}).shift_alarm);
  EXPECT_FALSE(analyse_drift(past, level(0.8920), DriftOptions{}).shift_alarm);
  EXPECT_TRUE(analyse_drift(past, level(0.9305), DriftOptions{}).shift_alarm);
  EXPECT_FALSE(analyse_drift(past, level(0.9304), DriftOptions{}).shift_alarm);

  // confidence 0.95: t(9, 0.975) = 2.2621571627409915 (scipy), half width
  // 2.2621571627409915 · 0.005652924513520025 · sqrt(1.1).
  DriftOptions o;
  o.confidence = 0.95;
  DriftAnalysis b = analyse_drift(past, level(0.9), o);
  EXPECT_NEAR(b.expected.upper - 0.9112, 2.2621571627409915 * 0.005652924513520025 * std::sqrt(1.1), 1e-10);
}

TEST(DriftShift, SeedNoiseIsRescaledToThisSweepsSeedCount) {
  // Five seeds a sweep, each sweep's seeds spread by variance 1e-5; this
  // sweep has ten. between = 3.1955555555555615e-05 (numpy var(ddof=1)),
  // within/5 = 2e-06, so night-to-night tau^2 = between - 2e-06 and
  // sd = sqrt(between/10 + tau^2 + 1e-5/10): [0.8922083016628363,
  // 0.9301916983371638] with t(9, 0.995) = 3.2498355440153697 (scipy).
  std::vector<SweepLevel> past = levels(kTenNights, 5, 1e-5);
  DriftAnalysis a = analyse_drift(past, level(0.9, true, 10, 1e-5), DriftOptions{});
  EXPECT_NEAR(a.expected.lower, 0.8922083016628363, 1e-10);
  EXPECT_NEAR(a.expected.upper, 0.9301916983371638, 1e-10);
  // With this sweep's five seeds the seed part is as in the reference:
  // the plain prediction interval of the sweeps' means.
  DriftAnalysis b = analyse_drift(past, level(0.9, true, 5, 1e-5), DriftOptions{});
  EXPECT_NEAR(b.expected.lower, 0.8919322539773596, 1e-10);
  EXPECT_NEAR(b.expected.upper, 0.9304677460226404, 1e-10);
}

TEST(DriftShift, SeedNoiseLargerThanTheSweepsSpreadSetsTheWidth) {
  // Seeds spread by variance 4e-4: within/5 = 8e-05 exceeds the means'
  // variance 3.1955555555555615e-05 (numpy), so no night-to-night part is
  // left and sd = sqrt(between/10 + 4e-4/10) for this sweep's ten seeds:
  // [0.8898409999711063, 0.9325590000288937] (numpy, scipy t(9, 0.995)).
  std::vector<SweepLevel> past = levels(kTenNights, 5, 4e-4);
  DriftAnalysis a = analyse_drift(past, level(0.9, true, 10, 4e-4), DriftOptions{});
  EXPECT_NEAR(a.expected.lower, 0.8898409999711063, 1e-10);
  EXPECT_NEAR(a.expected.upper, 0.9325590000288937, 1e-10);
}

TEST(DriftShift, WaitsForThreeAcceptedSweeps) {
  // Two accepted sweeps (the third was not accepted): nothing is judged.
  std::vector<SweepLevel> past = {level(0.91), level(0.92, false), level(0.90)};
  DriftAnalysis a = analyse_drift(past, level(0.1), DriftOptions{});
  EXPECT_EQ(a.reference, 2u);
  EXPECT_FALSE(a.shift_alarm);
  // Three: mean 0.91, sd 0.01, t(2, 0.995) = 9.92484320091807 (scipy):
  // half width 9.92484320091807 · 0.01 · sqrt(4/3).
  past[1].accepted = true;
  DriftAnalysis b = analyse_drift(past, level(0.1), DriftOptions{});
  EXPECT_EQ(b.reference, 3u);
  EXPECT_NEAR(b.expected.upper - 0.91, 9.92484320091807 * 0.01 * std::sqrt(4.0 / 3), 1e-10);
  EXPECT_TRUE(b.shift_alarm);
}

TEST(DriftShift, SkipsSweepsThatWereNotAccepted) {
  // A failed sweep far off sits among the ten accepted ones: the interval is
  // the one of the ten alone.
  std::vector<SweepLevel> past = levels(kTenNights);
  past.insert(past.begin() + 5, level(0.5, false));
  past.push_back(level(0.2, false));
  DriftAnalysis a = analyse_drift(past, level(0.9), DriftOptions{});
  EXPECT_EQ(a.reference, 10u);
  EXPECT_NEAR(a.expected.lower, 0.8919322539773596, 1e-10);
  EXPECT_NEAR(a.expected.upper, 0.9304677460226404, 1e-10);
  // window 4: the last four accepted (0.911, 0.920, 0.907, 0.913), not the
  // failed 0.2 after them: mean 0.91275.
  DriftOptions o;
  o.window = 4;
  EXPECT_NEAR(analyse_drift(past, level(0.9), o).reference_mean, 0.91275, 1e-12);
}

TEST(DriftShift, WorseDirectionAlarmsOnlyOnTheWorseSide) {
  // One-sided at 0.99: t(9, 0.99) = 2.8214379233005493 (scipy), bound
  // 0.9112 ∓ 2.8214379233005493 · 0.005652924513520025 · sqrt(1.1):
  // 0.8944721537479301 below, 0.9279278462520699 above (numpy).
  std::vector<SweepLevel> past = levels(kTenNights);
  DriftOptions o;
  o.direction = DriftDirection::worse;
  o.goal = Goal::maximize;
  DriftAnalysis a = analyse_drift(past, level(0.95), o);
  EXPECT_NEAR(a.expected.lower, 0.8944721537479301, 1e-10);
  EXPECT_EQ(a.expected.upper, kInf);
  EXPECT_FALSE(a.shift_alarm);  // far better: no alarm
  EXPECT_TRUE(analyse_drift(past, level(0.8944), o).shift_alarm);
  EXPECT_FALSE(analyse_drift(past, level(0.8945), o).shift_alarm);

  o.goal = Goal::minimize;
  DriftAnalysis b = analyse_drift(past, level(0.85), o);
  EXPECT_EQ(b.expected.lower, -kInf);
  EXPECT_NEAR(b.expected.upper, 0.9279278462520699, 1e-10);
  EXPECT_FALSE(b.shift_alarm);
  EXPECT_TRUE(analyse_drift(past, level(0.928), o).shift_alarm);

  // Both directions: the far-better sweep alarms too.
  EXPECT_TRUE(analyse_drift(past, level(0.95), DriftOptions{}).shift_alarm);
}

// ---- cusum ------------------------------------------------------------------

DriftOptions small_cusum() {
  DriftOptions o;
  o.window = 3;
  o.span = 6;
  o.k = 0.5;
  o.h = 3;
  return o;
}

// Reference 9, 10, 11 (mu0 = 10, sigma0 = 1), then the span's z-values
// 0.25, 1, -1, 1.5, 2 and this sweep's 2.5. By hand, C+ = max(0, C+ + z - k):
//   upper 0, 0.5, 0, 1, 2.5, 4.5   (left zero last at span position 3)
//   lower 0, 0, 0.5, 0, 0, 0
TEST(DriftCusum, HandComputedSequence) {
  std::vector<SweepLevel> past = levels({9, 10, 11, 10.25, 11, 9, 11.5, 12});
  DriftAnalysis a = analyse_drift(past, level(12.5), small_cusum());
  EXPECT_EQ(a.cusum_reference, 3u);
  EXPECT_DOUBLE_EQ(a.mu0, 10);
  EXPECT_DOUBLE_EQ(a.sigma0, 1);
  EXPECT_EQ(a.span, (std::vector<std::size_t>{3, 4, 5, 6, 7}));
  EXPECT_EQ(a.upper, (std::vector<double>{0, 0.5, 0, 1, 2.5, 4.5}));
  EXPECT_EQ(a.lower, (std::vector<double>{0, 0, 0.5, 0, 0, 0}));
  EXPECT_TRUE(a.cusum_alarm);
  EXPECT_FALSE(a.cusum_down);
  ASSERT_TRUE(a.start.has_value());
  EXPECT_EQ(*a.start, 6u);  // past[6] = 11.5, where C+ last left zero

  // h = 4.5: the CUSUM must pass h, reaching it is not an alarm.
  DriftOptions o = small_cusum();
  o.h = 4.5;
  DriftAnalysis b = analyse_drift(past, level(12.5), o);
  EXPECT_FALSE(b.cusum_alarm);
  EXPECT_FALSE(b.start.has_value());
}

TEST(DriftCusum, LowerSideNamesWhereItLeftZero) {
  // The mirror image: lower 0, 0.5, 0, 1, 2.5, 4.5.
  std::vector<SweepLevel> past = levels({11, 10, 9, 9.75, 9, 11, 8.5, 8});
  DriftAnalysis a = analyse_drift(past, level(7.5), small_cusum());
  EXPECT_EQ(a.lower, (std::vector<double>{0, 0.5, 0, 1, 2.5, 4.5}));
  EXPECT_EQ(a.upper, (std::vector<double>{0, 0, 0.5, 0, 0, 0}));
  EXPECT_TRUE(a.cusum_alarm);
  EXPECT_TRUE(a.cusum_down);
  ASSERT_TRUE(a.start.has_value());
  EXPECT_EQ(*a.start, 6u);
}

TEST(DriftCusum, StartIsThisSweepWhenItLeftZeroNow) {
  // Reference 9, 10, 11, span 10, 10, then this sweep 10 + 4: C+ = 3.5 > 3
  // from this sweep alone.
  std::vector<SweepLevel> past = levels({9, 10, 11, 10, 10});
  DriftAnalysis a = analyse_drift(past, level(14), small_cusum());
  EXPECT_EQ(a.upper, (std::vector<double>{0, 0, 3.5}));
  EXPECT_TRUE(a.cusum_alarm);
  EXPECT_EQ(a.start, std::optional<std::size_t>{past.size()});
}

TEST(DriftCusum, NotAcceptedSweepsAreSkippedInTheReferenceButKeptInTheSpan) {
  // A failed 40 among the reference is skipped (mu0 and sigma0 stay 10 and
  // 1); a failed 11 inside the span still counts in the CUSUM.
  std::vector<SweepLevel> past = levels({9, 40, 10, 11, 10.25, 11, 9, 11.5, 12});
  past[1].accepted = false;
  past[5].accepted = false;
  DriftAnalysis a = analyse_drift(past, level(12.5), small_cusum());
  EXPECT_EQ(a.cusum_reference, 3u);
  EXPECT_DOUBLE_EQ(a.mu0, 10);
  EXPECT_DOUBLE_EQ(a.sigma0, 1);
  EXPECT_EQ(a.span, (std::vector<std::size_t>{4, 5, 6, 7, 8}));
  EXPECT_EQ(a.upper, (std::vector<double>{0, 0.5, 0, 1, 2.5, 4.5}));
  EXPECT_TRUE(a.cusum_alarm);
  EXPECT_EQ(a.start, std::optional<std::size_t>{7});
}

TEST(DriftCusum, WaitsForAFullReferenceBeforeTheSpan) {
  // Window 3 but only two accepted sweeps: no CUSUM, however far this sweep.
  std::vector<SweepLevel> past = {level(9), level(10, false), level(11)};
  DriftAnalysis a = analyse_drift(past, level(50), small_cusum());
  EXPECT_EQ(a.cusum_reference, 2u);
  EXPECT_TRUE(a.span.empty());
  EXPECT_TRUE(a.upper.empty());
  EXPECT_FALSE(a.cusum_alarm);
}

TEST(DriftCusum, SpanShrinksEarlySoAFullReferencePrecedesIt) {
  // Three sweeps: all are the reference, the CUSUM runs over this sweep
  // alone: z = 40, C+ = 39.5.
  DriftAnalysis a = analyse_drift(levels({9, 10, 11}), level(50), small_cusum());
  EXPECT_EQ(a.cusum_reference, 3u);
  EXPECT_TRUE(a.span.empty());
  EXPECT_EQ(a.upper, (std::vector<double>{39.5}));
  EXPECT_TRUE(a.cusum_alarm);
  EXPECT_EQ(a.start, std::optional<std::size_t>{3});
  // Five sweeps, span 20 asked: the span is the two after the first three.
  DriftOptions o = small_cusum();
  o.span = 20;
  DriftAnalysis b = analyse_drift(levels({9, 10, 11, 10, 10}), level(10), o);
  EXPECT_EQ(b.span, (std::vector<std::size_t>{3, 4}));
  EXPECT_DOUBLE_EQ(b.mu0, 10);
  EXPECT_EQ(b.upper.size(), 3u);
}

TEST(DriftCusum, WorseDirectionAlarmsOnlyOnTheWorseSide) {
  DriftOptions o = small_cusum();
  o.direction = DriftDirection::worse;
  std::vector<SweepLevel> rising = levels({9, 10, 11, 10.25, 11, 9, 11.5, 12});
  std::vector<SweepLevel> falling = levels({11, 10, 9, 9.75, 9, 11, 8.5, 8});
  o.goal = Goal::maximize;  // falling is worse
  EXPECT_FALSE(analyse_drift(rising, level(12.5), o).cusum_alarm);
  DriftAnalysis down = analyse_drift(falling, level(7.5), o);
  EXPECT_TRUE(down.cusum_alarm);
  EXPECT_TRUE(down.cusum_down);
  o.goal = Goal::minimize;  // rising is worse
  DriftAnalysis up = analyse_drift(rising, level(12.5), o);
  EXPECT_TRUE(up.cusum_alarm);
  EXPECT_FALSE(up.cusum_down);
  DriftAnalysis better = analyse_drift(falling, level(7.5), o);
  EXPECT_FALSE(better.cusum_alarm);
  EXPECT_FALSE(better.start.has_value());
  EXPECT_EQ(better.lower.back(), 4.5);  // computed, just not an alarm
}

TEST(DriftCusum, NoScaleWhenTheReferenceMeansAreEqual) {
  DriftAnalysis a = analyse_drift(levels({10, 10, 10, 10}), level(20), small_cusum());
  EXPECT_EQ(a.cusum_reference, 3u);
  EXPECT_EQ(a.sigma0, 0);
  EXPECT_TRUE(a.upper.empty());
  EXPECT_FALSE(a.cusum_alarm);
}

// ---- simulation -------------------------------------------------------------
//
// Nightly sweeps of n seeds. A seed's value is the night's true mean plus
// noise of std sigma in one of three shapes; the true mean is fixed, or
// jitters from night to night by tau = 0.5 sigma. Each rule is judged on
// nights 21..40 of 40-night sequences at the defaults (window 20, span 20,
// k 0.5, h 8), with every sweep accepted: night 21 is the first with a
// full 20-sweep reference. Nights 40..60 of the same sequences give the
// steady state, where the CUSUM always has its full span. std::mt19937_64's output is fixed by the standard; the
// normal, exponential and binomial draws are made here from it, so the figures are the same with every standard
// library.

constexpr int kReplications = 2000;
constexpr int kNights = 60;
constexpr int kFirstJudged = 21;
constexpr int kLastStartUp = 40;  // nights 21..40: the start-up window
constexpr double kMean = 0.9;
constexpr double kSigma = 0.01;

enum class Shape { normal, coarse, skewed };

const char* shape_name(Shape s) {
  switch (s) {
    case Shape::normal:
      return "normal";
    case Shape::coarse:
      return "coarse";
    case Shape::skewed:
      return "skewed";
  }
  return "?";
}

class Draws {
 public:
  explicit Draws(std::uint64_t seed) : rng_(seed) {}
  double uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) / 9007199254740992.0; }
  double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()); }
  double exponential() { return -std::log(uniform()); }
  int binomial(int trials, double p) {
    int hits = 0;
    for (int i = 0; i < trials; ++i) hits += uniform() < p ? 1 : 0;
    return hits;
  }

 private:
  std::mt19937_64 rng_;
};

// One seed's value on a night whose true mean is `mean`:
//   normal  mean + N(0, sigma)
//   coarse  accuracy on 200 examples: Binomial(200, mean)/200 (std 0.0212 at 0.9)
//   skewed  mean - sigma (E - 1), E ~ Exponential(1): a long tail of bad seeds
double seed_value(Draws& draw, Shape shape, double mean) {
  switch (shape) {
    case Shape::normal:
      return mean + kSigma * draw.normal();
    case Shape::coarse:
      return draw.binomial(200, std::clamp(mean, 0.0, 1.0)) / 200.0;
    case Shape::skewed:
      return mean - kSigma * (draw.exponential() - 1);
  }
  return mean;
}

double seed_sigma(Shape shape) {
  return shape == Shape::coarse ? std::sqrt(kMean * (1 - kMean) / 200) : kSigma;
}

SweepLevel night(Draws& draw, Shape shape, std::size_t seeds, double mean) {
  std::vector<double> v(seeds);
  for (double& x : v) x = seed_value(draw, shape, mean);
  double m = 0;
  for (double x : v) m += x / static_cast<double>(seeds);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return level(m, true, seeds, ss / static_cast<double>(seeds - 1));
}

struct World {
  Shape shape = Shape::normal;
  std::size_t seeds = 5;
  double tau = 0;  // night-to-night std of the true mean, in seed sigmas
};

// A per-sweep rate and its Monte Carlo standard error, from each sequence's
// own rate (the nights of one sequence share a reference, so they are not
// independent).
struct Rate {
  double sum = 0, sum_squares = 0;
  int sequences = 0;
  void add(double per_sequence) {
    sum += per_sequence;
    sum_squares += per_sequence * per_sequence;
    ++sequences;
  }
  double rate() const { return sum / sequences; }
  double se() const {
    double m = rate();
    return std::sqrt(std::max(0.0, sum_squares / sequences - m * m) / (sequences - 1));
  }
};

struct RuleRates {
  Rate shift, cusum, either;
};

struct FalseAlarms {
  RuleRates start_up[2];  // nights 21..40, at confidence 0.99 and 0.95
  RuleRates steady[2];    // nights 40..60
};

constexpr double kConfidences[2] = {0.99, 0.95};

FalseAlarms false_alarms(const World& world, std::uint64_t seed) {
  Draws draw(seed);
  FalseAlarms out;
  const double sigma = seed_sigma(world.shape);
  std::vector<SweepLevel> nights;
  for (int r = 0; r < kReplications; ++r) {
    nights.clear();
    for (int t = 0; t < kNights; ++t)
      nights.push_back(night(draw, world.shape, world.seeds, kMean + world.tau * sigma * draw.normal()));
    for (int c = 0; c < 2; ++c) {
      DriftOptions o;
      o.confidence = kConfidences[c];
      int counts[2][3] = {};  // [start-up, steady][shift, cusum, either]
      for (int t = kFirstJudged; t <= kNights; ++t) {
        std::span<const SweepLevel> past(nights.data(), static_cast<std::size_t>(t - 1));
        DriftAnalysis a = analyse_drift(past, nights[static_cast<std::size_t>(t - 1)], o);
        const int alarms[3] = {a.shift_alarm, a.cusum_alarm, a.shift_alarm || a.cusum_alarm};
        for (int i = 0; i < 3; ++i) {
          if (t <= kLastStartUp) counts[0][i] += alarms[i];
          if (t >= kLastStartUp) counts[1][i] += alarms[i];
        }
      }
      const double start_up_nights = kLastStartUp - kFirstJudged + 1, steady_nights = kNights - kLastStartUp + 1;
      RuleRates* phases[2] = {&out.start_up[c], &out.steady[c]};
      const double lengths[2] = {start_up_nights, steady_nights};
      for (int p = 0; p < 2; ++p) {
        phases[p]->shift.add(counts[p][0] / lengths[p]);
        phases[p]->cusum.add(counts[p][1] / lengths[p]);
        phases[p]->either.add(counts[p][2] / lengths[p]);
      }
    }
  }
  return out;
}

std::string percent(const Rate& r) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%5.2f%% ±%4.2f", 100 * r.rate(), 100 * r.se());
  return buffer;
}

void print(const World& w, const FalseAlarms& f) {
  for (int c = 0; c < 2; ++c) {
    std::cout << "drift false alarms: " << shape_name(w.shape) << (w.tau > 0 ? "+jitter" : "") << " n=" << w.seeds
              << " confidence " << kConfidences[c] << "  nights 21-40: shift " << percent(f.start_up[c].shift)
              << " cusum " << percent(f.start_up[c].cusum) << " either " << percent(f.start_up[c].either)
              << "  nights 40-60: shift " << percent(f.steady[c].shift) << " cusum " << percent(f.steady[c].cusum)
              << " either " << percent(f.steady[c].either) << "\n";
  }
}

// The shift rule's promise: at most 1 - confidence a sweep (up to three
// Monte Carlo standard errors). The floor, a share of 1 - confidence at
// 0.99 and at 0.95, catches an interval too wide: without night-to-night
// variation the rule is conservative (0.3-0.4% at 0.99, 3% at 0.95), with
// it close to nominal.
void expect_shift_promise(const FalseAlarms& f, const double (&floor_share)[2]) {
  for (int c = 0; c < 2; ++c) {
    const double alpha = 1 - kConfidences[c];
    for (const RuleRates* phase : {&f.start_up[c], &f.steady[c]}) {
      EXPECT_LE(phase->shift.rate(), alpha + 3 * phase->shift.se()) << "confidence " << kConfidences[c];
      EXPECT_GE(phase->shift.rate(), floor_share[c] * alpha) << "confidence " << kConfidences[c];
    }
  }
}

// The CUSUM has no nominal rate: its reference is twenty estimated sweeps,
// and the estimate's error is shared by the whole span. Measured 0.5-1.1% a
// sweep on nights 21..40 and 1.7-2.6% once the span is full, in every
// shape (window 10 with h 5 gave 7-9% and 13.5-16%); the bands catch a
// CUSUM that lost its allowance or scale.
void expect_cusum_measured(const FalseAlarms& f) {
  EXPECT_GE(f.start_up[0].cusum.rate(), 0.003);
  EXPECT_LE(f.start_up[0].cusum.rate(), 0.02);
  EXPECT_GE(f.steady[0].cusum.rate(), 0.01);
  EXPECT_LE(f.steady[0].cusum.rate(), 0.04);
}

constexpr double kConservative[2] = {0.04, 0.3};  // no night-to-night variation
constexpr double kNominal[2] = {0.4, 0.6};        // tau = 0.5 sigma

class DriftSimulation : public ::testing::Test {};

TEST_F(DriftSimulation, NormalSeedsFalseAlarms) {
  std::uint64_t seed = 23001;
  for (std::size_t n : {3u, 5u, 10u}) {
    World w{Shape::normal, n, 0};
    FalseAlarms f = false_alarms(w, seed++);
    print(w, f);
    expect_shift_promise(f, kConservative);
    expect_cusum_measured(f);
  }
}

TEST_F(DriftSimulation, NightToNightVariationIsAbsorbedByTheShiftRule) {
  std::uint64_t seed = 23101;
  for (std::size_t n : {3u, 5u, 10u}) {
    World w{Shape::normal, n, 0.5};
    FalseAlarms f = false_alarms(w, seed++);
    print(w, f);
    expect_shift_promise(f, kNominal);
    expect_cusum_measured(f);
  }
}

TEST_F(DriftSimulation, CoarseAccuracyFalseAlarms) {
  std::uint64_t seed = 23201;
  for (std::size_t n : {3u, 5u, 10u}) {
    World w{Shape::coarse, n, 0};
    FalseAlarms f = false_alarms(w, seed++);
    print(w, f);
    expect_shift_promise(f, kConservative);
    expect_cusum_measured(f);
  }
}

TEST_F(DriftSimulation, SkewedSeedsFalseAlarms) {
  std::uint64_t seed = 23301;
  for (std::size_t n : {3u, 5u, 10u}) {
    World w{Shape::skewed, n, 0};
    FalseAlarms f = false_alarms(w, seed++);
    print(w, f);
    expect_cusum_measured(f);
    // Exponential seeds: a 3- or 5-seed mean is still skewed, and its long
    // tail passes the 0.99 interval more often than promised (1.6% at n = 3,
    // 1.2% at n = 5); at 10 seeds, and at 0.95 for every n, the promise
    // holds.
    for (int c = 0; c < 2; ++c) {
      const double alpha = 1 - kConfidences[c];
      for (const RuleRates* phase : {&f.start_up[c], &f.steady[c]}) {
        const Rate& shift = phase->shift;
        if (n <= 5 && c == 0) {
          EXPECT_GT(shift.rate(), alpha);
          EXPECT_LE(shift.rate(), 2 * alpha);
        } else {
          EXPECT_LE(shift.rate(), alpha + 3 * shift.se());
          EXPECT_GE(shift.rate(), kConservative[c] * alpha);
        }
      }
    }
  }
}

// A slow drift: from night 25 the true mean falls by 0.1 seed sigma a
// night (2.1 sigma by night 45, 6.6 std of a 10-seed sweep's mean), normal
// seeds, n = 10, defaults. For each sequence: the first night from 25 on
// that each rule alarms, and where the first CUSUM alarm says the drift
// began.
struct Detection {
  int sequences = 0;
  int detected[3] = {};  // shift, cusum, either: an alarm on nights 25..45
  std::vector<int> first[3];
  int start_near = 0;    // the first CUSUM alarm names a night within 25 ± 3
  int early_alarms = 0;  // sequences with an alarm on nights 21..24, before the drift
};

int median(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

TEST_F(DriftSimulation, CatchesASlowDriftAndNamesWhereItBegan) {
  constexpr int kDriftNights = 45, kDriftStart = 25;
  const double per_night = 0.1 * kSigma;
  Draws draw(23401);
  Detection d;
  std::vector<SweepLevel> nights;
  for (int r = 0; r < kReplications; ++r) {
    nights.clear();
    for (int t = 1; t <= kDriftNights; ++t)
      nights.push_back(night(draw, Shape::normal, 10, kMean - per_night * std::max(0, t - kDriftStart + 1)));
    int first[3] = {0, 0, 0};
    bool early = false, start_seen = false;
    for (int t = kFirstJudged; t <= kDriftNights; ++t) {
      std::span<const SweepLevel> past(nights.data(), static_cast<std::size_t>(t - 1));
      DriftAnalysis a = analyse_drift(past, nights[static_cast<std::size_t>(t - 1)], DriftOptions{});
      const bool alarms[3] = {a.shift_alarm, a.cusum_alarm, a.shift_alarm || a.cusum_alarm};
      if (t < kDriftStart) {
        early = early || alarms[2];
        continue;
      }
      for (int i = 0; i < 3; ++i)
        if (alarms[i] && first[i] == 0) first[i] = t;
      if (a.cusum_alarm && !start_seen) {
        start_seen = true;
        const int began = static_cast<int>(*a.start) + 1;  // past[i] is night i + 1; past.size() is this night
        if (std::abs(began - kDriftStart) <= 3) ++d.start_near;
      }
    }
    ++d.sequences;
    d.early_alarms += early ? 1 : 0;
    for (int i = 0; i < 3; ++i)
      if (first[i] != 0) {
        ++d.detected[i];
        d.first[i].push_back(first[i]);
      }
  }
  const double n = d.sequences;
  std::cout << "drift detection (0.1 sigma/night from night 25, n=10, normal): by night 45 shift " << d.detected[0] / n
            << " cusum " << d.detected[1] / n << " either " << d.detected[2] / n << "; median first alarm night shift "
            << median(d.first[0]) << " cusum " << median(d.first[1]) << " either " << median(d.first[2])
            << "; first CUSUM alarm's start within 25 +- 3: " << static_cast<double>(d.start_near) / d.detected[1]
            << " of the detected; alarm on nights 21-24 " << d.early_alarms / n << "\n";
  // What a broken rule would miss or mistime, with the margins of 2,000
  // sequences (the figures above are the README's).
  EXPECT_GE(d.detected[1] / n, 0.99);
  EXPECT_LE(median(d.first[1]), 34);
  EXPECT_GE(median(d.first[1]), 30);
  EXPECT_GE(static_cast<double>(d.start_near) / d.detected[1], 0.75);
  EXPECT_LE(d.early_alarms / n, 0.03);
  // The shift rule's reference follows a slow drift: it misses about a third
  // of these by night 45; catching them is the CUSUM's job.
  EXPECT_LE(d.detected[0] / n, 0.8);
}

// How much of a slow drift the CUSUM's moving reference absorbs: the mean
// falls from night 1 on by `per_night` std of a sweep's mean (n = 10
// normal seeds: sigma / sqrt(10)); the per-sweep alarm rate on nights
// 40..60, where the span is full and its reference sits 20..39 nights back.
double steady_cusum_rate(double per_night, std::uint64_t seed) {
  Draws draw(seed);
  const double step = per_night * kSigma / std::sqrt(10.0);
  std::vector<SweepLevel> nights;
  double alarms = 0, judged = 0;
  for (int r = 0; r < kReplications / 2; ++r) {
    nights.clear();
    for (int t = 1; t <= kNights; ++t) nights.push_back(night(draw, Shape::normal, 10, kMean - step * t));
    for (int t = kLastStartUp; t <= kNights; ++t) {
      std::span<const SweepLevel> past(nights.data(), static_cast<std::size_t>(t - 1));
      alarms += analyse_drift(past, nights[static_cast<std::size_t>(t - 1)], DriftOptions{}).cusum_alarm ? 1 : 0;
      ++judged;
    }
  }
  return alarms / judged;
}

TEST_F(DriftSimulation, HowMuchOfASteadyDriftTheMovingReferenceAbsorbs) {
  std::uint64_t seed = 23501;
  std::vector<double> rates;
  for (double per_night : {0.0, 0.005, 0.01, 0.02, 0.05, 0.1}) {
    rates.push_back(steady_cusum_rate(per_night, seed++));
    std::cout << "drift steady-state cusum alarm rate, n=10 normal, nights 40-60, drift " << per_night << " std/night ("
              << per_night * 20 << " std over the span): " << rates.back() << "\n";
  }
  EXPECT_LE(rates[1], rates[0] + 0.02);  // 0.1 std over the span: absorbed
  for (std::size_t i = 2; i < rates.size(); ++i) EXPECT_GT(rates[i], rates[i - 1]);
  EXPECT_GE(rates[4], 0.5);  // 1 std over the span: caught on most sweeps
  EXPECT_GE(rates[5], 0.95);
}

}  // namespace
}  // namespace seedgate::checks
