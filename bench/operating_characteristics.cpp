// Operating characteristics of every check that takes `confidence`, as
// markdown tables: the false-pass rate with the truth on the bound, the
// false-fail and inconclusive rates with the truth clearly good, per metric
// shape and seed count, the sequential design's rates and seeds used, and the
// seeds futility stops save when two sequential checks are judged together.
// Seeded: the same tables on every run. The simulation is in
// bench/operating_characteristics.hpp.
//
//   operating_characteristics [sweeps per cell, default 4000] > oc.md
#include "bench/operating_characteristics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace seedgate::bench;

constexpr std::size_t kSeedCounts[] = {2, 3, 5, 10, 20};

struct Description {
  const char* title;
  const char* truth;  // what "on the bound" and "good" mean
};

Description describe(Case c) {
  switch (c) {
    case Case::mean:
      return {"threshold mean_at_least", "On the bound: the true mean. Good: the true mean 2 sd above it."};
    case Case::worst_normal:
      return {"threshold worst_at_least, tolerance = \"normal\", coverage 0.9",
              "On the bound: exactly 90% of seeds at or above it. Good: the distribution 2 sd higher."};
    case Case::worst_nonparametric:
      return {"threshold worst_at_least, tolerance = \"nonparametric\", coverage 0.9",
              "On the bound: exactly 90% of seeds at or above it. Good: the distribution 2 sd higher."};
    case Case::std_at_most:
      return {"variance std_at_most", "On the bound: the true sd. Good: sd halved (coarse: before rounding)."};
    case Case::cv_at_most:
      return {"variance cv_at_most", "On the bound: the true sd / mean. Good: sd halved (coarse: before rounding)."};
    case Case::non_inferiority:
      return {"regression, margin 0.02 (non-inferiority)",
              "Baseline: as many seeds as the candidate. On the bound: the candidate's true mean worse by exactly the "
              "margin. Good: the candidate drawn like the baseline."};
    case Case::equivalence:
      return {"regression, margin 0.02, comparison = \"equivalence\"",
              "Baseline: as many seeds as the candidate. On the bound: the candidate's true mean worse by exactly the "
              "margin. Good: the candidate drawn like the baseline."};
    case Case::std_repeats:
      return {"variance std_at_most 0.02, repeats = 2",
              "Each run: seed effect (sd 0.01) + run noise (sd 0.0173). On the bound: one run's std is 0.02. "
              "Good: both halved, one run's std 0.01."};
  }
  return {"?", ""};
}

std::string percent(double rate) {
  return fmt::format("{:.1f}", 100 * rate);
}

void print_preamble(int sweeps) {
  fmt::print("# Operating characteristics of the checks with confidence\n\n");
  fmt::print(
      "Confidence {:g} throughout: the nominal false-pass rate is {:g}%. {} sweeps per cell, seed {}; at the "
      "nominal rate one standard error is {:.2f} points.\n\n",
      kConfidence, 100 * kNominal, sweeps, kSeed, 100 * std::sqrt(kNominal * (1 - kNominal) / sweeps));
  // The lognormal loss's skewness; the metric, 0.90 + E[L] - L, has its negative.
  double spread = std::expm1(kLogSd * kLogSd);
  fmt::print(
      "Metric shapes (accuracy-like, true mean 0.90 and seed sd 0.01 unless said): normal; skewed = 0.90 + E[L] - "
      "L, L lognormal with log-sd {:g} (skewness {:.2f}); coarse = normal rounded to 0.01 (sd {:.4f} after "
      "rounding), bounds placed at the rounded values' true parameter.\n\n",
      kLogSd, -(spread + 3) * std::sqrt(spread), population_sd(base_population(Shape::coarse)));
  fmt::print(
      "false-pass: pass with the true parameter exactly on the bound. false-fail: fail with the truth clearly "
      "good; inconclusive at good: neither pass nor fail there.\n");
}

// The cells of the tables, computed on every core: each cell draws from its
// own stream, so the tables do not depend on the order the cells finish in.
template <typename Result>
std::vector<Result> run_all(const std::vector<std::function<Result()>>& cells) {
  std::vector<Result> rows(cells.size());
  std::atomic<std::size_t> next = 0;
  auto work = [&] {
    for (std::size_t i = next++; i < cells.size(); i = next++) rows[i] = cells[i]();
  };
  std::vector<std::jthread> workers(std::max(1u, std::thread::hardware_concurrency()));
  for (std::jthread& worker : workers) worker = std::jthread(work);
  for (std::jthread& worker : workers) worker.join();
  return rows;
}

std::vector<std::function<Row()>> fixed_cells(int sweeps) {
  std::vector<std::function<Row()>> cells;
  for (Case c : kCases)
    for (Shape shape : shapes_of(c))
      for (std::size_t n : kSeedCounts) cells.emplace_back([=] { return run_cell(c, shape, n, sweeps); });
  return cells;
}

std::vector<std::function<Row()>> sequential_cells(int sweeps) {
  std::vector<std::function<Row()>> cells;
  for (seedgate::checks::Spending spending : spending_functions())
    for (Shape shape : kShapes) cells.emplace_back([=] { return run_sequential(spending, shape, sweeps); });
  return cells;
}

struct FutilityCell {
  seedgate::checks::Spending spending;
  Shape shape;
  Program program;
};

std::vector<FutilityCell> futility_cells() {
  std::vector<FutilityCell> cells;
  for (seedgate::checks::Spending spending : spending_functions())
    for (Program program : kPrograms)
      for (Shape shape : kShapes) cells.push_back({spending, shape, program});
  return cells;
}

std::vector<std::function<FutilityTally()>> futility_jobs(int sweeps) {
  std::vector<std::function<FutilityTally()>> jobs;
  for (FutilityCell cell : futility_cells())
    jobs.emplace_back([=] { return run_futility(cell.spending, cell.shape, cell.program, sweeps); });
  return jobs;
}

// `rows` in fixed_cells' order, from `next` on.
void print_case(Case c, const std::vector<Row>& rows, std::size_t& next) {
  Description d = describe(c);
  fmt::print("\n## {}\n\n{}\n\n", d.title, d.truth);
  fmt::print("| metric shape | n | false-pass % | false-fail % | inconclusive at good % |\n");
  fmt::print("|---|---:|---:|---:|---:|\n");
  int errors = 0;
  for (Shape shape : shapes_of(c)) {
    for (std::size_t n : kSeedCounts) {
      const Row& row = rows[next++];
      fmt::print("| {} | {} | {} | {} | {} |\n", to_string(shape), n, percent(row.on_bound.rate(row.on_bound.pass)),
                 percent(row.good.rate(row.good.fail)), percent(row.good.rate(row.good.inconclusive)));
      errors += row.on_bound.error + row.good.error;
    }
  }
  // An error is a verdict the table has no column for; it must not hide.
  if (errors) fmt::print("\n{} sweeps ended in an error verdict.\n", errors);
}

// `rows` in sequential_cells' order.
void print_sequential(const std::vector<Row>& rows) {
  fmt::print("\n## threshold mean_at_least, inconclusive = \"more-seeds\"\n\n");
  fmt::print(
      "Looks at 5, 10, 15, 20 seeds, each at confidence 1 - look_alpha(spending, {:g}, looks, look); stops at the "
      "first pass or fail. On the bound: the true mean. Good: the true mean 2 sd above it. power: pass at good, "
      "and pass with the true mean {:g} sd above the bound.\n\n",
      kNominal, kModestEffect);
  fmt::print(
      "| spending | metric shape | false-pass % | power % | false-fail % | inconclusive at good % | mean seeds on "
      "bound | mean seeds good | power at +{0:g} sd % | mean seeds at +{0:g} sd |\n",
      kModestEffect);
  fmt::print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::size_t next = 0;
  for (seedgate::checks::Spending spending : spending_functions()) {
    for (Shape shape : kShapes) {
      const Row& row = rows[next++];
      fmt::print("| {} | {} | {} | {} | {} | {} | {:.1f} | {:.1f} | {} | {:.1f} |\n",
                 seedgate::checks::to_string(spending), to_string(shape), percent(row.on_bound.rate(row.on_bound.pass)),
                 percent(row.good.rate(row.good.pass)), percent(row.good.rate(row.good.fail)),
                 percent(row.good.rate(row.good.inconclusive)), row.on_bound.mean_seeds(), row.good.mean_seeds(),
                 percent(row.modest.rate(row.modest.pass)), row.modest.mean_seeds());
    }
  }
}

// `tallies` in futility_cells' order.
void print_futility(const std::vector<FutilityTally>& tallies) {
  fmt::print("\n## Futility: seeds used against fixed n\n\n");
  fmt::print(
      "Two checks judged together, both inconclusive = \"more-seeds\": threshold mean_at_least (on the bound: the "
      "true mean) and variance std_at_most at {:g} times the true sd. Looks at 5, 10, 15, 20 seeds, each at "
      "confidence 1 - look_alpha(spending, {:g}, looks, look); a check decided at a look stays decided. Bad: the true "
      "mean {:g} sd below the bound; borderline: on it; good: {:g} sd above. Today's rule runs the next look while "
      "either check is undecided; with futility stops the sweep also ends at the first look where a check has "
      "failed. A fixed design runs 20 seeds. Verdicts are the sweep's: a failed check, or one still undecided "
      "after 20 seeds, fails it.\n\n",
      kFutilitySpread, kNominal, kFutilityOffset, kFutilityOffset);
  fmt::print(
      "| spending | program | metric shape | mean seeds, futility | mean seeds, today | fixed n | pass %, futility "
      "| pass %, today | fail %, futility | fail %, today |\n");
  fmt::print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<FutilityCell> cells = futility_cells();
  int errors = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Tally& with = tallies[i].with_futility;
    const Tally& without = tallies[i].without_futility;
    fmt::print("| {} | {} | {} | {:.1f} | {:.1f} | {} | {} | {} | {} | {} |\n",
               seedgate::checks::to_string(cells[i].spending), to_string(cells[i].program), to_string(cells[i].shape),
               with.mean_seeds(), without.mean_seeds(), sequential_looks().back(), percent(with.rate(with.pass)),
               percent(without.rate(without.pass)), percent(with.rate(with.fail)), percent(without.rate(without.fail)));
    errors += with.error + without.error;
  }
  if (errors) fmt::print("\n{} sweeps ended in an error verdict.\n", errors);
}

}  // namespace

int main(int argc, char** argv) {
  int sweeps = argc > 1 ? std::atoi(argv[1]) : 4000;
  if (sweeps <= 0) {
    fmt::print(stderr, "usage: operating_characteristics [sweeps per cell > 0]\n");
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<Row> fixed = run_all(fixed_cells(sweeps));
  std::vector<Row> sequential = run_all(sequential_cells(sweeps));
  std::vector<FutilityTally> futility = run_all(futility_jobs(sweeps));
  print_preamble(sweeps);
  std::size_t next = 0;
  for (Case c : kCases) print_case(c, fixed, next);
  print_sequential(sequential);
  print_futility(futility);
  // On stderr, so that the tables themselves reproduce byte for byte.
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  fmt::print(stderr, "{:.1f} s\n", elapsed.count());
  return 0;
}
