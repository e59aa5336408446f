#include "checks/sequential.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace seedgate::checks {
namespace {

constexpr Spending kAll[] = {Spending::pocock, Spending::obrien_fleming, Spending::bonferroni};
const std::vector<double> kFourEqual{0.25, 0.5, 0.75, 1.0};

double upper_tail(double z) {
  return std::erfc(z / std::sqrt(2.0)) / 2;
}
double upper_quantile(double p) {
  return boost::math::quantile(boost::math::complement(boost::math::normal_distribution<double>(), p));
}
double increment(Spending s, double alpha, const std::vector<double>& t, std::size_t k) {
  return spent_alpha(s, alpha, t[k]) - (k == 0 ? 0.0 : spent_alpha(s, alpha, t[k - 1]));
}

void expect_bounds(const std::vector<double>& actual, const std::vector<double>& expected, double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t k = 0; k < actual.size(); ++k) EXPECT_NEAR(actual[k], expected[k], tolerance) << "look " << k + 1;
}

TEST(PlannedLooks, StepsUpToTheMaximum) {
  EXPECT_EQ(planned_looks(5, 5, 20), (std::vector<std::size_t>{5, 10, 15, 20}));
  EXPECT_EQ(planned_looks(5, 5, 12), (std::vector<std::size_t>{5, 10, 12}));
  EXPECT_EQ(planned_looks(8, 8, 8), (std::vector<std::size_t>{8}));
}

TEST(Spending, NamedAsInPolicies) {
  EXPECT_STREQ(to_string(Spending::pocock), "pocock");
  EXPECT_STREQ(to_string(Spending::obrien_fleming), "obrien-fleming");
  EXPECT_STREQ(to_string(Spending::bonferroni), "bonferroni");
}

TEST(Spending, ReachesAlphaAtTheEnd) {
  for (Spending s : kAll) {
    EXPECT_NEAR(spent_alpha(s, 0.05, 1.0), 0.05, 1e-12) << to_string(s);
    EXPECT_EQ(spent_alpha(s, 0.05, 0.0), 0.0);
  }
  // O'Brien–Fleming keeps almost nothing for an early look (Lan & DeMets 1983):
  // 2 - 2 Phi(1.959964 / sqrt(0.25)) = 8.857e-5.
  EXPECT_NEAR(spent_alpha(Spending::obrien_fleming, 0.05, 0.25), 8.857e-5, 1e-7);
  // Pocock-type: 0.05 ln(1 + (e - 1) 0.25) = 0.0178687; Bonferroni spends the same.
  EXPECT_NEAR(spent_alpha(Spending::pocock, 0.05, 0.25), 0.0178687, 1e-7);
  EXPECT_EQ(spent_alpha(Spending::bonferroni, 0.05, 0.25), spent_alpha(Spending::pocock, 0.05, 0.25));
}

// SAS PROC SEQDESIGN, method=errfuncobf, 4 equally spaced stages, symmetric
// two-sided alpha 0.05: upper Z 4.33263, 2.96333, 2.35902, 2.01409, as quoted
// in gsDesign's vignette "SeqDesignSurvival" (github.com/keaven/gsDesign,
// vignettes/SeqDesignSurvival.Rmd). With 0.025 a side, the lower bound moves
// the upper one far less than the tolerance, so this is the one-sided design.
// The recursion here gives 4.33263, 2.96313, 2.35904, 2.01409.
TEST(SequentialBounds, ObrienFlemingMatchesPublishedTable) {
  expect_bounds(sequential_bounds(Spending::obrien_fleming, 0.025, kFourEqual), {4.33263, 2.96333, 2.35902, 2.01409},
                1e-3);
}

// Pocock-type (Lan & DeMets 1983), one-sided 0.025, 4 equal looks: 2.368,
// 2.367, 2.358, 2.350. No published table was at hand for these; the first is
// closed form, and the Monte Carlo test below checks the rest independently.
TEST(SequentialBounds, PocockTypeFourEqualLooks) {
  std::vector<double> bounds = sequential_bounds(Spending::pocock, 0.025, kFourEqual);
  expect_bounds(bounds, {2.368, 2.367, 2.358, 2.350}, 1e-3);
  EXPECT_NEAR(bounds[0], upper_quantile(0.025 * std::log(1 + (std::exp(1.0) - 1) / 4)), 1e-9);
}

// P(Z_1 < c1, Z_2 >= c2) with looks at t1 and 1, where Z_2 = sqrt(t1) Z_1 +
// sqrt(1 - t1) e: the trapezoid rule on a fine uniform grid, a different rule
// and grid from the library's recursion.
double second_look_crossing(double t1, double c1, double c2) {
  constexpr int kSteps = 20000;
  const double low = -12, h = (c1 - low) / kSteps;
  double sum = 0;
  for (int i = 0; i <= kSteps; ++i) {
    double u = low + i * h;
    double f = std::exp(-u * u / 2) / std::sqrt(2 * std::numbers::pi) *
               upper_tail((c2 - std::sqrt(t1) * u) / std::sqrt(1 - t1));
    sum += (i == 0 || i == kSteps ? 0.5 : 1.0) * f;
  }
  return sum * h;
}

TEST(SequentialBounds, TwoLooksObrienFlemingAgreeWithDirectIntegration) {
  std::vector<double> t{0.5, 1.0};
  std::vector<double> bounds = sequential_bounds(Spending::obrien_fleming, 0.025, t);
  // 2 - 2 Phi(z_0.9875 / sqrt 0.5) = 0.0015259 spent first; 1.9686 spends the rest.
  expect_bounds(bounds, {2.9626, 1.9686}, 1e-4);
  EXPECT_NEAR(upper_tail(bounds[0]), spent_alpha(Spending::obrien_fleming, 0.025, 0.5), 1e-12);
  EXPECT_NEAR(second_look_crossing(0.5, bounds[0], bounds[1]), increment(Spending::obrien_fleming, 0.025, t, 1), 1e-7);
}

// splitmix64 + Box–Muller: the same draws with every standard library.
class Normal {
 public:
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double radius = std::sqrt(-2 * std::log(uniform())), angle = 2 * std::numbers::pi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  double uniform() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;
  }
  std::uint64_t state_ = 20240611;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Brownian motion observed at the fractions: how often each look is the first
// to cross. Independent of the quadrature, so it checks the recursion itself.
std::vector<double> simulated_crossings(const std::vector<double>& t, const std::vector<double>& bounds, int paths) {
  // W(t_k) crosses when it reaches c_k sqrt(t_k); its steps have sd sqrt(t_k - t_{k-1}).
  std::vector<double> reach, step;
  for (std::size_t k = 0; k < t.size(); ++k) {
    reach.push_back(bounds[k] * std::sqrt(t[k]));
    step.push_back(std::sqrt(t[k] - (k == 0 ? 0.0 : t[k - 1])));
  }
  Normal normal;
  std::vector<double> crossed(t.size(), 0.0);
  for (int p = 0; p < paths; ++p) {
    double w = 0;
    for (std::size_t k = 0; k < t.size(); ++k) {
      w += step[k] * normal();
      if (w >= reach[k]) {
        crossed[k] += 1.0 / paths;
        break;
      }
    }
  }
  return crossed;
}

TEST(SequentialBounds, SimulatedCrossingsSpendExactlyAlpha) {
  constexpr double kAlpha = 0.05;
  constexpr int kPaths = 200000;  // standard error of the total about 5e-4
  std::vector<double> ten;
  for (int k = 1; k <= 10; ++k) ten.push_back(k / 10.0);
  for (const std::vector<double>& t : {kFourEqual, std::vector<double>{0.3, 0.5, 1.0}, ten}) {
    for (Spending s : {Spending::pocock, Spending::obrien_fleming}) {
      std::vector<double> crossed = simulated_crossings(t, sequential_bounds(s, kAlpha, t), kPaths);
      double total = 0;
      for (std::size_t k = 0; k < t.size(); ++k) {
        EXPECT_NEAR(crossed[k], increment(s, kAlpha, t, k), 1.5e-3) << to_string(s) << " look " << k + 1;
        total += crossed[k];
      }
      EXPECT_NEAR(total, kAlpha, 2.5e-3) << to_string(s) << ", " << t.size() << " looks";
    }
  }
  // Bonferroni ignores the correlation between looks, so it spends less.
  std::vector<double> crossed =
      simulated_crossings(kFourEqual, sequential_bounds(Spending::bonferroni, kAlpha, kFourEqual), kPaths);
  EXPECT_LT(crossed[0] + crossed[1] + crossed[2] + crossed[3], kAlpha - 0.005);
}

TEST(SequentialBounds, BonferroniTestsEachLookAtItsIncrement) {
  std::vector<double> bounds = sequential_bounds(Spending::bonferroni, 0.05, kFourEqual);
  for (std::size_t k = 0; k < kFourEqual.size(); ++k)
    EXPECT_NEAR(bounds[k], upper_quantile(increment(Spending::pocock, 0.05, kFourEqual, k)), 1e-12);
  auto looks = planned_looks(5, 5, 20);
  double total = 0;
  for (std::size_t k = 0; k < looks.size(); ++k) total += look_alpha(Spending::bonferroni, 0.05, looks, k);
  EXPECT_NEAR(total, 0.05, 1e-12);
}

TEST(SequentialBounds, UnequalLooksAreValid) {
  std::vector<double> t{0.3, 0.5, 1.0};
  std::vector<double> obf = sequential_bounds(Spending::obrien_fleming, 0.025, t);
  std::vector<double> pocock = sequential_bounds(Spending::pocock, 0.025, t);
  for (std::size_t k = 0; k < t.size(); ++k) {
    EXPECT_TRUE(std::isfinite(obf[k]) && std::isfinite(pocock[k]));
    // Exact bounds use the correlation between looks, so they sit below Bonferroni's.
    EXPECT_LE(pocock[k], upper_quantile(increment(Spending::pocock, 0.025, t, k)) + 1e-12);
  }
  // O'Brien–Fleming-type bounds fall look by look; Pocock-type ones follow the
  // increments, so the short step from 0.3 to 0.5 gets the highest bound.
  EXPECT_GT(obf[0], obf[1]);
  EXPECT_GT(obf[1], obf[2]);
  EXPECT_GT(pocock[1], pocock[0]);
  EXPECT_GT(pocock[1], pocock[2]);
  // The final look pays for the earlier ones.
  EXPECT_GT(obf[2], upper_quantile(0.025));
  EXPECT_GT(pocock[2], upper_quantile(0.025));
}

TEST(SequentialBounds, OneLookIsTheFixedTest) {
  for (Spending s : kAll) {
    std::vector<double> bounds = sequential_bounds(s, 0.05, std::vector<double>{1.0});
    ASSERT_EQ(bounds.size(), 1u);
    EXPECT_NEAR(bounds[0], upper_quantile(0.05), 1e-12) << to_string(s);
    EXPECT_EQ(look_alpha(s, 0.05, {8}, 0), 0.05);
  }
}

TEST(SequentialBounds, ALookThatSpendsNothingNeverRejects) {
  // O'Brien–Fleming spends 2 - 2 Phi(62), nothing a double holds, at t = 0.001.
  std::vector<double> bounds = sequential_bounds(Spending::obrien_fleming, 0.05, std::vector<double>{0.001, 1.0});
  EXPECT_EQ(bounds[0], std::numeric_limits<double>::infinity());
  EXPECT_NEAR(bounds[1], upper_quantile(0.05), 1e-6);
}

TEST(SequentialBounds, RejectsMalformedFractions) {
  using F = std::vector<double>;
  for (const F& t : {F{}, F{0.5, 0.5, 1.0}, F{0.5, 0.9}, F{0.0, 1.0}, F{0.5, 1.5}})
    EXPECT_THROW(sequential_bounds(Spending::pocock, 0.05, t), std::invalid_argument);
  EXPECT_THROW(sequential_bounds(Spending::pocock, 0.0, kFourEqual), std::invalid_argument);
  EXPECT_THROW(sequential_bounds(Spending::pocock, 1.0, kFourEqual), std::invalid_argument);
}

TEST(LookAlpha, IsTheNominalLevelOfTheBound) {
  auto looks = planned_looks(5, 5, 20);
  for (Spending s : kAll) {
    std::vector<double> bounds = sequential_bounds(s, 0.05, kFourEqual);
    for (std::size_t k = 0; k < looks.size(); ++k) {
      double nominal = look_alpha(s, 0.05, looks, k);
      EXPECT_NEAR(nominal, upper_tail(bounds[k]), 1e-15) << to_string(s) << " look " << k + 1;
      // Never below the look's own increment (Bonferroni's level), and equal to it at the first look.
      EXPECT_GE(nominal, increment(s, 0.05, kFourEqual, k) * (1 - 1e-12));
    }
    EXPECT_NEAR(look_alpha(s, 0.05, looks, 0), spent_alpha(s, 0.05, 0.25), 1e-12);
  }
  // What a 95% check looking at 5, 10, 15, 20 seeds tests at: Pocock-type
  // levels grow where Bonferroni's (1.79%, 1.31%, 1.04%, 0.86%) shrink.
  double pocock[] = {0.01787, 0.01891, 0.02003, 0.02094};
  for (std::size_t k = 0; k < looks.size(); ++k)
    EXPECT_NEAR(look_alpha(Spending::pocock, 0.05, looks, k), pocock[k], 1e-5);
}

}  // namespace
}  // namespace seedgate::checks
