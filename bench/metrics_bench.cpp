// How fast the harness reads what runs report: the protocol file and regex
// metrics over captured output. Both run once per run, after it finishes.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "harness/metrics.hpp"

namespace {

std::string protocol_lines(int steps) {
  std::string text;
  for (int i = 0; i < steps; ++i)
    text += fmt::format("{{\"step\": {}, \"loss\": {}, \"lr\": 0.001}}\n", i, 1.0 / (i + 1));
  text +=
      "{\"accuracy\": 0.953}\n{\"type\": \"artifact\", \"name\": \"weights\", \"digest\": \"xxh3:0123456789abcdef\"}\n";
  return text;
}

void BM_ParseProtocol(benchmark::State& state) {
  std::string text = protocol_lines(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    seedgate::RunReport report;
    seedgate::parse_protocol(text, "metrics.jsonl", report);
    benchmark::DoNotOptimize(report);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseProtocol)->Arg(100)->Arg(10000);

void BM_RegexMetric(benchmark::State& state) {
  std::string log;
  for (int i = 0; i < state.range(0); ++i)
    log += fmt::format("[{}]\ttrain-error:0.1\ttest-error:{}\n", i, 1.0 / (i + 1));
  seedgate::MetricSpec metric;
  metric.name = "error";
  metric.regex = "test-error:([0-9.eE+-]+)";
  for (auto _ : state) {
    seedgate::RunReport report;
    seedgate::apply_regex_metric(metric, log, "stderr.log", report);
    benchmark::DoNotOptimize(report);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * log.size()));
}
BENCHMARK(BM_RegexMetric)->Arg(100)->Arg(10000);

}  // namespace
