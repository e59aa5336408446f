// The statistics' cost: a BCa bootstrap (10,000 resamples of 10,000 values,
// as bench/bootstrap_vs_scipy.sh runs scipy on the same data) and judging a
// policy's checks over 10,000 runs.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "checks/bootstrap.hpp"
#include "checks/check.hpp"

namespace {

// The values bench/bootstrap_vs_scipy.sh writes: 0.9 + 0.01 * sin(i) * cos(3i).
std::vector<double> values(std::size_t n) {
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto x = static_cast<double>(i);
    out[i] = 0.9 + 0.01 * std::sin(x) * std::cos(3 * x);
  }
  return out;
}

void BM_BootstrapBca(benchmark::State& state) {
  auto data = values(static_cast<std::size_t>(state.range(0)));
  auto statistic = static_cast<seedgate::checks::BootStatistic>(state.range(1));
  for (auto _ : state) {
    auto result = seedgate::checks::bootstrap(data, statistic, 0.95, {10000, 1});
    benchmark::DoNotOptimize(result);
  }
  state.SetLabel(seedgate::checks::to_string(statistic));
}
BENCHMARK(BM_BootstrapBca)
    ->Args({10000, static_cast<int>(seedgate::checks::BootStatistic::mean)})
    ->Args({10000, static_cast<int>(seedgate::checks::BootStatistic::median)})
    ->Unit(benchmark::kMillisecond);

// 10,000 runs: 2,500 seeds x 2 modes x 2 repeats, judged by every check kind with confidence.
void BM_EvaluateChecks(benchmark::State& state) {
  using namespace seedgate::checks;
  std::vector<Observation> runs;
  auto data = values(2500);
  for (std::size_t seed = 0; seed < 2500; ++seed) {
    for (const char* mode : {"deterministic", "default"}) {
      for (int repeat = 0; repeat < 2; ++repeat) {
        Observation o;
        o.seed = static_cast<std::int64_t>(seed);
        o.mode = mode;
        o.device = "cpu";
        o.repeat = repeat;
        o.metrics["accuracy"] = data[seed] + (repeat ? 1e-4 : 0);
        o.digests["model"] = "xxh3:" + std::to_string(seed * 2 + static_cast<std::size_t>(repeat));
        runs.push_back(std::move(o));
      }
    }
  }
  std::vector<CheckSpec> specs(5);
  for (CheckSpec& s : specs) {
    s.metric = "accuracy";
    s.confidence = 0.95;
    s.bootstrap = {10000, 1};
  }
  specs[0].params = default_spec(CheckKind::threshold);
  specs[0].as<ThresholdSpec>().mean = Bound{"mean_at_least", 0.9};
  specs[0].as<ThresholdSpec>().worst = Bound{"worst_at_least", 0.85};
  specs[1].params = default_spec(CheckKind::variance);
  specs[1].as<VarianceSpec>().std_at_most = 0.01;
  specs[1].as<VarianceSpec>().cv_at_most = 0.02;
  specs[2].params = default_spec(CheckKind::reproducibility);
  specs[2].confidence.reset();
  specs[3].params = default_spec(CheckKind::seed_sensitivity);
  specs[3].confidence.reset();
  specs[4].params = default_spec(CheckKind::regression);
  specs[4].as<RegressionSpec>().margin = 0.005;
  for (auto _ : state) {
    for (const CheckSpec& s : specs) benchmark::DoNotOptimize(evaluate(s, runs, runs));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(runs.size()));
}
BENCHMARK(BM_EvaluateChecks)->Unit(benchmark::kMillisecond);

}  // namespace
