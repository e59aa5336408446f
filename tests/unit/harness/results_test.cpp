#include "harness/results.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/exit_codes.hpp"

namespace seedgate {
namespace {

SweepResults sample() {
  SweepResults results;
  results.policy_path = "seedgate.toml";
  results.policy_digest = "xxh3:1";
  results.subject = "demo";
  results.seeds = {0, 1};
  RunRecord r;
  r.run = {"s0-deterministic-cpu-r0", 0, "deterministic", "cpu", 0, 0};
  r.report.metrics = {{"accuracy", 0.95}, {"loss", NAN}, {"gain", -INFINITY}};
  r.report.series["loss"] = {{0, 0.5}, {1, NAN}};
  r.report.digests["model"] = "xxh3:abc";
  r.report.events.push_back({"nondeterministic-op", "index_add_"});
  r.report.issues.push_back("metrics.jsonl:2: metric 'loss' is nan");
  r.process.max_rss_kib = 1234;
  r.stdout_tail = "bad bytes \xff\xfe";
  results.runs.push_back(r);
  RunRecord failed;
  failed.run = {"s1-deterministic-cpu-r0", 1, "deterministic", "cpu", 0, 0};
  failed.status = RunStatus::timed_out;
  failed.message = "timed out";
  failed.process.status = ProcessResult::Status::timed_out;
  failed.process.signal = 15;
  results.runs.push_back(failed);
  CheckResult check;
  check.outcome.name = "variance-accuracy";
  check.outcome.kind = checks::CheckKind::variance;
  check.outcome.metric = "accuracy";
  check.outcome.verdict = checks::Verdict::fail;
  check.outcome.messages = {"accuracy: std 0.05 over seeds 0..2 exceeds std_at_most 0.01"};
  check.outcome.statistics.push_back({"mode=deterministic, device=cpu", "std", 0.05, checks::Bound{"std_at_most", 0.01},
                                      std::nullopt, checks::Verdict::fail});
  check.outcome.seeds = {0, 1, 2};
  check.counted_as = checks::Verdict::fail;
  check.policy_line = 12;
  results.checks.push_back(check);
  CheckResult unsure;
  unsure.outcome.name = "threshold-accuracy";
  unsure.outcome.metric = "accuracy";
  unsure.outcome.verdict = checks::Verdict::inconclusive;
  unsure.outcome.confidence = 0.975;
  unsure.outcome.notes = {"look 1 of 3 (5 seeds)"};
  unsure.outcome.statistics.push_back({"g", "q10", 0.9, checks::Bound{"worst_at_least", 0.85},
                                       checks::Interval{-INFINITY, 0.93, 0.95}, checks::Verdict::inconclusive});
  unsure.counted_as = checks::Verdict::pass;
  results.checks.push_back(unsure);
  results.sequential = {{5, 10, 15}, 0, "pocock"};
  results.verdict = SweepVerdict::fail;
  return results;
}

// A run's fold and split seed read back; results without them are runs with no folds axis.
TEST(ResultsTest, FoldsRoundTripAndOldResultsHaveNone) {
  SweepResults results = sample();
  results.runs[0].run.fold = 3;
  results.runs[0].run.fold_seed = 42;
  auto loaded = results_from_json(to_json(results), "r.json");
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->runs[0].run.fold, 3);
  EXPECT_EQ(loaded->runs[0].run.fold_seed, 42);
  EXPECT_EQ(loaded->runs[0].observation().fold, 3);
  EXPECT_EQ(loaded->runs[1].run.fold, -1);
  nlohmann::json old = to_json(sample());
  for (nlohmann::json& run : old["runs"]) run.erase("fold");
  loaded = results_from_json(old, "r.json");
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->runs[0].run.fold, -1);
  old["runs"][0]["fold"] = 100;
  loaded = results_from_json(old, "r.json");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("fold 100 is outside 0..99"), std::string::npos) << loaded.error();
}

TEST(ResultsTest, RoundTripKeepsNonFiniteValues) {
  auto dir = std::filesystem::temp_directory_path() / "seedgate-results-test";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(save_results(dir / "results.json", sample()));
  auto loaded = load_results(dir / "results.json");
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_EQ(loaded->runs.size(), 2u);
  const RunRecord& r = loaded->runs[0];
  EXPECT_EQ(r.report.metrics.at("accuracy"), 0.95);
  EXPECT_TRUE(std::isnan(r.report.metrics.at("loss")));
  EXPECT_EQ(r.report.metrics.at("gain"), -INFINITY);
  EXPECT_TRUE(std::isnan(r.report.series.at("loss")[1].second));
  EXPECT_EQ(r.report.digests.at("model"), "xxh3:abc");
  EXPECT_EQ(r.report.events.at(0).message, "index_add_");
  EXPECT_EQ(r.process.max_rss_kib, 1234);
  EXPECT_EQ(r.stdout_tail, "bad bytes \xEF\xBF\xBD\xEF\xBF\xBD");  // invalid UTF-8 replaced, not fatal
  EXPECT_EQ(loaded->runs[1].status, RunStatus::timed_out);
  EXPECT_EQ(loaded->runs[1].process.status, ProcessResult::Status::timed_out);
  EXPECT_EQ(loaded->policy_digest, "xxh3:1");
  EXPECT_EQ(loaded->verdict, SweepVerdict::fail);
  ASSERT_EQ(loaded->checks.size(), 2u);
  const checks::CheckOutcome& c = loaded->checks[0].outcome;
  EXPECT_EQ(c.kind, checks::CheckKind::variance);
  EXPECT_EQ(c.verdict, checks::Verdict::fail);
  EXPECT_EQ(c.messages, sample().checks[0].outcome.messages);
  EXPECT_EQ(c.seeds, (std::vector<std::int64_t>{0, 1, 2}));
  ASSERT_EQ(c.statistics.size(), 1u);
  EXPECT_EQ(c.statistics[0].bound->key, "std_at_most");
  EXPECT_EQ(c.statistics[0].verdict, checks::Verdict::fail);
  // A judged interval, an inconclusive verdict and how it counted survive the round trip.
  const CheckResult& unsure = loaded->checks[1];
  EXPECT_EQ(unsure.outcome.verdict, checks::Verdict::inconclusive);
  EXPECT_EQ(unsure.counted_as, checks::Verdict::pass);
  EXPECT_EQ(unsure.outcome.confidence, 0.975);
  EXPECT_EQ(unsure.outcome.notes, (std::vector<std::string>{"look 1 of 3 (5 seeds)"}));
  ASSERT_TRUE(unsure.outcome.statistics.at(0).interval.has_value());
  EXPECT_EQ(unsure.outcome.statistics[0].interval->lower, -INFINITY);
  EXPECT_EQ(unsure.outcome.statistics[0].interval->upper, 0.93);
  EXPECT_EQ(unsure.outcome.statistics[0].interval->level, 0.95);
  EXPECT_EQ(loaded->sequential.looks, (std::vector<std::size_t>{5, 10, 15}));
  EXPECT_EQ(loaded->sequential.spending, "pocock");
  EXPECT_EQ(loaded->checks[0].policy_line, 12);
}

TEST(ResultsTest, RejectsOtherSchemaVersions) {
  nlohmann::json value = to_json(sample());
  value["schema_version"] = 99;
  auto loaded = results_from_json(value, "old.json");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), "old.json: results schema version 99 is not supported (this seedgate reads 1 to 2)");
}

TEST(ResultsTest, RejectsNonResults) {
  auto loaded = results_from_json(nlohmann::json::object({{"hello", 1}}), "x.json");
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(loaded.error().starts_with("x.json: not a seedgate results file: ")) << loaded.error();
}

// Integer fields holding a float past their type's range (found by
// fuzz_results: a float cast out of range is undefined behaviour) or an
// integer past it: a clear error, not a wrapped or undefined value.
TEST(ResultsTest, IntegerFieldsOutOfRangeAreErrors) {
  for (const auto& [pointer, value] :
       std::vector<std::pair<std::string, nlohmann::json>>{{"/seeds/0", 1e107},
                                                           {"/runs/0/seed", 1.5e30},
                                                           {"/runs/0/threads", 1e39},
                                                           {"/runs/0/repeat", 4294967296LL},
                                                           {"/runs/0/process/stdout_bytes", -1},
                                                           {"/schema_version", 1.0e20}}) {
    nlohmann::json results = to_json(sample());
    results[nlohmann::json::json_pointer(pointer)] = value;
    auto loaded = results_from_json(results, "r.json");
    ASSERT_FALSE(loaded) << pointer;
    EXPECT_NE(loaded.error().find("expected an integer in range, got"), std::string::npos) << loaded.error();
  }
}

// Every kind in the table is written by its name and read back as itself.
TEST(ResultsTest, EveryKindReadsBackByName) {
  for (const checks::KindInfo& kind : checks::kinds()) {
    SweepResults results = sample();
    results.checks[0].outcome.kind = kind.kind;
    nlohmann::json value = to_json(results);
    EXPECT_EQ(value["checks"][0]["kind"], std::string(kind.name));
    auto loaded = results_from_json(value, "r.json");
    ASSERT_TRUE(loaded) << kind.name << ": " << loaded.error();
    EXPECT_EQ(loaded->checks[0].outcome.kind, kind.kind);
  }
}

TEST(ResultsTest, UnknownKindsAndVerdictsAreClearErrors) {
  nlohmann::json value = to_json(sample());
  value["checks"][0]["kind"] = "bagging";
  auto loaded = results_from_json(value, "r.json");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("r.json: not a seedgate results file: "), std::string::npos) << loaded.error();
  EXPECT_NE(loaded.error().find("unknown check kind \"bagging\""), std::string::npos) << loaded.error();

  value = to_json(sample());
  value["verdict"] = "passed";
  loaded = results_from_json(value, "r.json");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), "r.json: unknown verdict \"passed\"");
  // A check's verdict nobody can read is an error, never a pass.
  value = to_json(sample());
  value["checks"][0]["verdict"] = "ok";
  value["checks"][0].erase("counted_as");
  loaded = results_from_json(value, "r.json");
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->checks[0].outcome.verdict, checks::Verdict::error);
  EXPECT_EQ(loaded->checks[0].counted_as, checks::Verdict::error);
}

TEST(ResultsTest, SweepVerdictsRoundTripAndMapToExitCodes) {
  for (SweepVerdict v :
       {SweepVerdict::none, SweepVerdict::pass, SweepVerdict::fail, SweepVerdict::error, SweepVerdict::shard}) {
    SweepResults results = sample();
    results.verdict = v;
    auto loaded = results_from_json(to_json(results), "r.json");
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(loaded->verdict, v);
  }
  EXPECT_EQ(exit_code(SweepVerdict::pass), 0);
  EXPECT_EQ(exit_code(SweepVerdict::fail), 1);
  EXPECT_EQ(exit_code(SweepVerdict::error), 3);
  EXPECT_EQ(exit_code(SweepVerdict::shard), 3);
  EXPECT_EQ(exit_code(SweepVerdict::none), 3);
  EXPECT_EQ(checks::CheckOutcome{}.verdict, checks::Verdict::error);
}

}  // namespace
}  // namespace seedgate
