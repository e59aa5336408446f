// How long the history stores take to append one sweep of 1,000 runs × 3
// metrics, and to read a 365-sweep trend (list one branch, then load every
// sweep's "accuracy"): the median of 7 tries each, on a SQLite file in a
// temporary folder and on a throwaway PostgreSQL server (skipped where
// Debian's postgresql-15 binaries are absent).
//   build/bench/history_bench
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "history/store.hpp"
#include "tests/unit/history/postgres_server.hpp"

namespace {

using namespace seedgate::history;

SweepRecord make_sweep(int day, int runs, const std::string& branch) {
  SweepRecord sweep{.id = fmt::format("{}-{:04}", branch, day),
                    .started = fmt::format("2026-{:02}-{:02}T{:02}:{:02}:00Z", 1 + day / 28 % 12, 1 + day % 28,
                                           day / 336 % 24, day % 60),
                    .commit = "0123456789abcdef0123456789abcdef01234567",
                    .branch = branch,
                    .subject = "digits",
                    .policy_digest = "a1b2c3d4",
                    .fingerprint = R"({"os": "linux", "python": "3.11.7", "torch": "2.3.0"})",
                    .verdict = "pass"};
  for (int i = 0; i < runs; ++i) {
    sweep.runs.push_back({.seed = i,
                          .mode = i % 2 ? "deterministic" : "nondeterministic",
                          .device = "cpu",
                          .threads = 4,
                          .status = "passed",
                          .metrics = {{"accuracy", 0.9 + 1e-4 * i}, {"loss", 0.3 - 1e-4 * i}, {"seconds", 12.5 + i}}});
  }
  sweep.checks = {{"floor", "threshold", "accuracy", "pass", ""}};
  sweep.statistics = {{"floor", "mode=deterministic", "mean", 0.95, "mean_at_least", 0.9, 0.94, 0.96, "pass"}};
  return sweep;
}

double median_ms(int tries, const std::function<void(int)>& body) {
  std::vector<double> times;
  for (int i = 0; i < tries; ++i) {
    auto start = std::chrono::steady_clock::now();
    body(i);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

template <typename T>
T must(util::Result<T> result) {
  if (!result) {
    fmt::print(stderr, "{}\n", result.error());
    std::exit(1);
  }
  return std::move(result).value();
}

void must(const util::Result<void>& result) {
  if (!result) {
    fmt::print(stderr, "{}\n", result.error());
    std::exit(1);
  }
}

void measure(const std::string& name, const std::string& url, const std::filesystem::path& base) {
  auto store = must(open_store(url, base));
  double append = median_ms(7, [&](int i) { must(store->append(make_sweep(i, 1000, "wide"))); });
  for (int day = 0; day < 365; ++day) must(store->append(make_sweep(day, 10, "main")));
  std::size_t sweeps = 0;
  double trend = median_ms(7, [&](int) {
    std::vector<std::string> ids;
    for (const SweepSummary& sweep : must(store->list({.branch = "main"}))) ids.push_back(sweep.id);
    sweeps = must(store->load(ids, {"accuracy"})).size();
  });
  fmt::print("| {:<10} | {:>26.1f} | {:>28.1f} | {:>6} |\n", name, append, trend, sweeps);
}

}  // namespace

int main() {
  namespace fs = std::filesystem;
  std::string pattern = (fs::temp_directory_path() / "seedgate-history-bench-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) return 1;
  fs::path dir = pattern;
  fmt::print("| store      | append 1,000 runs × 3 (ms) | 365-sweep trend (ms)         | sweeps |\n");
  fmt::print("| ---------- | -------------------------- | ---------------------------- | ------ |\n");
  measure("sqlite", "sqlite:history.db", dir);
  seedgate::testing::PostgresServer server;
  if (server.start(/*durable=*/true) && server.create_database("bench")) {
    measure("postgresql", server.url("bench"), dir);
  } else {
    fmt::print("postgresql skipped: {}{}\n", server.skip_reason(), server.error());
  }
  server.stop();
  fs::remove_all(dir);
}
