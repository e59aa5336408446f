// Simulation of the sequential design (inconclusive = "more-seeds") through
// the real check evaluation: seeded, a few thousand sweeps, well under a
// second. It shows the false-pass rate stays at or below the nominal 5% when
// the true mean sits exactly on the bound, that looking at every look without
// spending would inflate it, and how many seeds early stopping saves.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <vector>

#include "checks/check.hpp"
#include "checks/sequential.hpp"
#include "tests/unit/checks/seeded_normal.hpp"

namespace seedgate::checks {
namespace {

using Normal = test::SeededNormal;

struct Design {
  std::vector<std::size_t> looks;
  bool spend = true;  // false: every look at the full alpha (what not to do)
  Spending spending = Spending::pocock;
};

struct Tally {
  double pass = 0, fail = 0, inconclusive = 0, seeds = 0;
};

constexpr double kBound = 0.90;
constexpr double kSd = 0.02;
constexpr double kConfidence = 0.95;

Tally simulate(const Design& design, double true_mean, int sweeps, std::uint64_t seed) {
  Normal draw(seed);
  CheckSpec spec;
  spec.name = "threshold-accuracy";
  spec.metric = "accuracy";
  spec.as<ThresholdSpec>().mean = Bound{"mean_at_least", kBound};
  Tally tally;
  for (int s = 0; s < sweeps; ++s) {
    std::vector<Observation> runs;
    for (std::size_t i = 0; i < design.looks.back(); ++i) {
      Observation o;
      o.seed = static_cast<std::int64_t>(i);
      o.mode = "deterministic";
      o.device = "cpu";
      o.metrics["accuracy"] = draw(true_mean, kSd);
      runs.push_back(std::move(o));
    }
    Verdict verdict = Verdict::inconclusive;
    std::size_t used = 0;
    for (std::size_t k = 0; k < design.looks.size() && verdict == Verdict::inconclusive; ++k) {
      used = design.looks[k];
      double alpha = design.spend ? look_alpha(design.spending, 1 - kConfidence, design.looks, k) : 1 - kConfidence;
      spec.confidence = 1 - alpha;
      verdict = evaluate(spec, std::span<const Observation>(runs.data(), used)).verdict;
    }
    tally.pass += verdict == Verdict::pass;
    tally.fail += verdict == Verdict::fail;
    tally.inconclusive += verdict == Verdict::inconclusive;
    tally.seeds += static_cast<double>(used);
  }
  for (double* v : {&tally.pass, &tally.fail, &tally.inconclusive, &tally.seeds}) *v /= sweeps;
  return tally;
}

constexpr int kSweeps = 4000;
const Design kSequential{planned_looks(5, 5, 20), true};
const Design kFixed{{20}, true};

TEST(SequentialSimulation, FalsePassRateStaysAtNominal) {
  Tally sequential = simulate(kSequential, kBound, kSweeps, 1);
  Tally bonferroni = simulate({planned_looks(5, 5, 20), true, Spending::bonferroni}, kBound, kSweeps, 1);
  Tally fixed = simulate(kFixed, kBound, kSweeps, 1);
  Tally peeking = simulate({planned_looks(5, 5, 20), false}, kBound, kSweeps, 1);
  std::cout << "true mean on the bound: false-pass rate sequential " << sequential.pass << ", bonferroni "
            << bonferroni.pass << ", fixed 20 seeds " << fixed.pass << ", looking 4 times without spending "
            << peeking.pass << "\n";
  // The exact boundaries spend all of alpha (on z statistics; the checks use t,
  // so a little over is possible): nominal within 3 standard errors.
  double three_se = 3 * std::sqrt((1 - kConfidence) * kConfidence / kSweeps);
  EXPECT_LE(sequential.pass, 1 - kConfidence + three_se);
  EXPECT_LE(bonferroni.pass, 1 - kConfidence);        // conservative whatever the correlation between looks
  EXPECT_LE(fixed.pass, 1 - kConfidence + three_se);  // exactly nominal, up to simulation error
  // Without spending, four looks inflate the error rate: the reason for spending.
  EXPECT_GT(peeking.pass, 1 - kConfidence + 0.02);
}

TEST(SequentialSimulation, ClearCasesStopEarly) {
  for (double delta : {0.02, -0.02, 0.03}) {
    Tally sequential = simulate(kSequential, kBound + delta, kSweeps, 2);
    Tally fixed = simulate(kFixed, kBound + delta, kSweeps, 2);
    std::cout << "true mean " << kBound + delta << " (bound " << kBound << ", sd " << kSd << "): sequential used "
              << sequential.seeds << " seeds on average (pass " << sequential.pass << ", fail " << sequential.fail
              << ", inconclusive " << sequential.inconclusive << "); fixed used 20 (pass " << fixed.pass << ", fail "
              << fixed.fail << ")\n";
    EXPECT_LT(sequential.seeds, 12.0);
    // It decides the right way about as often as the fixed design.
    double right_sequential = delta > 0 ? sequential.pass : sequential.fail;
    double right_fixed = delta > 0 ? fixed.pass : fixed.fail;
    EXPECT_GT(right_sequential, right_fixed - 0.05);
  }
}

}  // namespace
}  // namespace seedgate::checks
