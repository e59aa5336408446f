// The false-pass rate of every check that takes `confidence`, through the
// real evaluation (bench/operating_characteristics.hpp has the simulation and
// bench/operating_characteristics.cpp the full tables): with the true
// parameter exactly on the bound, a check passes at most 1 - confidence of the
// time at 3, 5 and 10 seeds, on every metric shape its bound promises it for. Seeded, so a failure
// reproduces; the allowance for simulation error is 3 standard errors.
#include "bench/operating_characteristics.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace seedgate::bench {
namespace {

struct Subject {
  Case check;
  Shape shape;
};

void PrintTo(const Subject& subject, std::ostream* out) {
  *out << to_string(subject.check) << ", " << to_string(subject.shape);
}

std::string subject_name(const testing::TestParamInfo<Subject>& test) {
  return std::string(to_string(test.param.check)) + "_" + to_string(test.param.shape);
}

// Sweeps per cell: as many as the judge's cost allows within about a second
// for the whole suite. A noncentral-t quantile (normal tolerance) or a
// bootstrap (cv) costs a hundred times what a t or chi-square bound does.
int sweeps_for(Case c) {
  switch (c) {
    case Case::worst_normal:
    case Case::cv_at_most:
      return 200;
    case Case::worst_nonparametric:
    case Case::non_inferiority:
    case Case::equivalence:
      return 1000;
    default:
      return 4000;
  }
}

// The bootstrap's own resampling error at 2,000 resamples is small beside the
// sampling error of a cv over 10 seeds or fewer, and five times cheaper.
Scenario on_bound(const Subject& subject) {
  Scenario s = setting(subject.check, subject.shape).on_bound;
  s.spec.bootstrap.resamples = 2000;
  return s;
}

constexpr std::size_t kSeedCounts[] = {3, 5, 10};

class FalsePass : public testing::TestWithParam<Subject> {};

TEST_P(FalsePass, AtMostNominalOnTheBound) {
  const Subject& subject = GetParam();
  int sweeps = sweeps_for(subject.check);
  Scenario scenario = on_bound(subject);
  for (std::size_t n : kSeedCounts) {
    Tally tally = simulate(scenario, n, sweeps, cell_seed(subject.check, subject.shape, n, false));
    EXPECT_LE(tally.rate(tally.pass), false_pass_limit(sweeps))
        << to_string(subject.check) << ", " << to_string(subject.shape) << ", " << n << " seeds: " << tally.pass
        << " passes in " << sweeps << " sweeps with the truth on the bound";
    EXPECT_EQ(tally.error, 0) << n << " seeds";
  }
}

// What each verdict promises (README, "Statistics"): the normal-theory bounds
// (t, chi-square, noncentral t, normal tolerance) hold their rate on metrics
// near normal, rounded or not; on a strongly skewed metric they do not, and
// the bench prints by how much. The order-statistic bound and the regression
// comparisons promise it on skewed metrics too.
bool promised(Case c, Shape shape) {
  if (shape != Shape::skewed) return true;
  return c == Case::worst_nonparametric || c == Case::non_inferiority || c == Case::equivalence;
}

std::vector<Subject> subjects() {
  std::vector<Subject> out;
  for (Case c : kCases)
    for (Shape shape : shapes_of(c))
      if (promised(c, shape)) out.push_back({c, shape});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Checks, FalsePass, testing::ValuesIn(subjects()), subject_name);

// inconclusive = "more-seeds", looking at 5, 10, 15 and 20 seeds: spending the
// error rate over the looks keeps the false-pass rate at the nominal level.
class SequentialFalsePass : public testing::TestWithParam<Subject> {};

TEST_P(SequentialFalsePass, AtMostNominalOnTheBound) {
  constexpr int sweeps = 1000;
  Shape shape = GetParam().shape;
  for (checks::Spending spending : spending_functions()) {
    Tally tally = simulate_sequential(mean_setting(shape).on_bound, spending, sequential_looks(), sweeps,
                                      sequential_seed(spending, shape, false));
    EXPECT_LE(tally.rate(tally.pass), false_pass_limit(sweeps))
        << checks::to_string(spending) << ", " << to_string(shape) << ": " << tally.pass << " passes in " << sweeps
        << " sweeps with the true mean on the bound";
  }
}

std::vector<Subject> mean_subjects() {
  std::vector<Subject> out;
  for (Shape shape : kShapes)
    if (promised(Case::mean, shape)) out.push_back({Case::mean, shape});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Checks, SequentialFalsePass, testing::ValuesIn(mean_subjects()), subject_name);

}  // namespace
}  // namespace seedgate::bench
