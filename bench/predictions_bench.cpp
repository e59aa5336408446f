// The prediction checks' cost on 20 seeds x 10,000 examples x 10 classes:
// the ensemble summary (accuracy, soft and majority vote, 2,000 paired
// resamples and the ensemble-size curve) and the churn summary (the pairwise
// matrix, 2,000 resamples, per class, the 20 least stable examples).
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include "checks/predictions.hpp"

namespace {

using namespace seedgate::checks;

// Each seed's probabilities: a softmax of noise plus a bump on the true
// class, so seeds are right about 80% of the time and disagree on some.
PredictionSet make_set(std::size_t seeds, std::size_t examples, std::size_t classes) {
  Xoshiro256 rng(42);
  auto uniform = [&] { return (static_cast<double>(rng.next() >> 11) + 0.5) / 9007199254740992.0; };
  PredictionSet set;
  set.kind = PredictionKind::probabilities;
  set.classes = classes;
  for (std::size_t i = 0; i < examples; ++i) {
    set.ids.push_back("x" + std::to_string(i));
    set.truth.push_back(static_cast<double>(rng.below(static_cast<std::uint32_t>(classes))));
  }
  std::vector<double> logits(classes);
  for (std::size_t m = 0; m < seeds; ++m) {
    set.members.push_back("seed " + std::to_string(m));
    std::vector<float> probabilities(examples * classes);
    std::vector<double> predicted(examples);
    for (std::size_t i = 0; i < examples; ++i) {
      double total = 0;
      std::size_t best = 0;
      for (std::size_t c = 0; c < classes; ++c) {
        logits[c] = std::exp(3 * uniform() + (c == static_cast<std::size_t>(set.truth[i]) ? 2.0 : 0.0));
        total += logits[c];
        if (logits[c] > logits[best]) best = c;
      }
      for (std::size_t c = 0; c < classes; ++c) probabilities[i * classes + c] = static_cast<float>(logits[c] / total);
      predicted[i] = static_cast<double>(best);
    }
    set.probabilities.push_back(std::move(probabilities));
    set.predicted.push_back(std::move(predicted));
  }
  return set;
}

const PredictionSet& twenty_seeds() {
  static const PredictionSet set = make_set(20, 10000, 10);
  return set;
}

void BM_EnsembleSummary(benchmark::State& state) {
  const PredictionSet& set = twenty_seeds();
  auto vote = static_cast<Vote>(state.range(0));
  for (auto _ : state) {
    auto s = summarize_ensemble(set, Score::accuracy, vote, 0.90, {2000, 1});
    benchmark::DoNotOptimize(s);
  }
  state.SetLabel(vote == Vote::soft ? "soft vote" : "majority vote");
}
BENCHMARK(BM_EnsembleSummary)
    ->Arg(static_cast<int>(Vote::soft))
    ->Arg(static_cast<int>(Vote::majority))
    ->Unit(benchmark::kMillisecond);

// AUC of two classes: its curve ranks every ensemble it scores.
void BM_EnsembleAuc(benchmark::State& state) {
  static const PredictionSet set = make_set(20, 10000, 2);
  for (auto _ : state) {
    auto s = summarize_ensemble(set, Score::auc, Vote::soft, 0.90, {2000, 1});
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_EnsembleAuc)->Unit(benchmark::kMillisecond);

void BM_ChurnSummary(benchmark::State& state) {
  const PredictionSet& set = twenty_seeds();
  for (auto _ : state) {
    auto s = summarize_churn(set, 0.90, 20, {2000, 1});
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_ChurnSummary)->Unit(benchmark::kMillisecond);

// Both, as a sweep's ensemble and churn checks run them.
void BM_EnsembleAndChurn(benchmark::State& state) {
  const PredictionSet& set = twenty_seeds();
  for (auto _ : state) {
    auto e = summarize_ensemble(set, Score::accuracy, Vote::soft, 0.90, {2000, 1});
    auto c = summarize_churn(set, 0.90, 20, {2000, 1});
    benchmark::DoNotOptimize(e);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_EnsembleAndChurn)->Unit(benchmark::kMillisecond);

}  // namespace
