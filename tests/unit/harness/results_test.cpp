#include "harness/results.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "harness/evaluate.hpp"
#include "harness/exit_codes.hpp"
#include "harness/policy.hpp"
#include "util/atomic_file.hpp"

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
  r.process.max_rss_at_most_kib = 5678;
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
  EXPECT_EQ(r.process.max_rss_at_most_kib, 5678);
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

// tests/data/results-v1/ is a sweep written by seedgate before schema version
// 2 (results.json, as that version wrote it, and its policy): runs passed and
// crashed, metrics, digests, tails. Read now, judged now, it gives what that
// version judged; written again in schema 2 and read back, the same again.
std::vector<std::string> check_lines(const SweepResults& results) {
  std::vector<std::string> lines;
  for (const CheckResult& c : results.checks) {
    lines.push_back(
        fmt::format("{} {} {}", c.outcome.name, checks::to_string(c.outcome.verdict), checks::to_string(c.counted_as)));
    for (const checks::Statistic& s : c.outcome.statistics)
      lines.push_back(fmt::format("  {} [{}] {:.12g} {}", s.name, s.group, s.value, checks::to_string(s.verdict)));
  }
  return lines;
}

TEST(ResultsTest, SchemaVersion1ReadsAndJudgesAsItWasJudged) {
  const std::filesystem::path dir = RESULTS_V1_DIR;
  auto stored = load_results(dir / "results.json");
  ASSERT_TRUE(stored) << stored.error();
  EXPECT_EQ(stored->schema_version, 1);
  ASSERT_EQ(stored->runs.size(), 24u);
  EXPECT_EQ(stored->verdict, SweepVerdict::fail);
  auto policy = load_policy(dir / "seedgate.toml");
  ASSERT_TRUE(policy) << policy.error();

  SweepResults judged = *stored;
  judged.run_roots = {dir};
  Evaluation evaluation = evaluate_policy(*policy, judged);
  EXPECT_EQ(evaluation.exit_code, exit_code(stored->verdict));
  EXPECT_EQ(judged.verdict, stored->verdict);
  EXPECT_EQ(check_lines(judged), check_lines(*stored));

  // Written in the current schema and read back: every run as it was, judged the same.
  const std::filesystem::path again = std::filesystem::temp_directory_path() / "seedgate-results-v1-again.json";
  ASSERT_TRUE(save_results(again, judged));
  auto reread = load_results(again);
  std::filesystem::remove(again);
  ASSERT_TRUE(reread) << reread.error();
  EXPECT_EQ(reread->schema_version, kResultsSchemaVersion);
  ASSERT_EQ(reread->runs.size(), stored->runs.size());
  for (std::size_t i = 0; i < stored->runs.size(); ++i)
    EXPECT_EQ(to_json(reread->runs[i]), to_json(stored->runs[i])) << stored->runs[i].run.id;
  SweepResults rejudged = *reread;
  evaluate_policy(*policy, rejudged);
  EXPECT_EQ(check_lines(rejudged), check_lines(*stored));
}

// The current schema keeps a run's identity and status whatever their
// values, leaves defaults out, and names the sweep's machine once.
TEST(ResultsTest, SchemaVersion2IsCompactAndReadsBackWhole) {
  SweepResults results = sample();
  for (RunRecord& r : results.runs) r.machine = "build-host";
  results.runs.back().machine = "other-host";
  nlohmann::json value = to_json(results);
  EXPECT_EQ(value["schema_version"], 2);
  EXPECT_EQ(value["machine"], "build-host");
  const nlohmann::json& failed = value["runs"][1];
  EXPECT_EQ(failed["machine"], "other-host");
  EXPECT_FALSE(value["runs"][0].contains("machine"));
  for (const char* key : {"id", "seed", "mode", "device", "threads", "repeat", "status"})
    EXPECT_TRUE(failed.contains(key)) << key;
  for (const char* key : {"fold", "variant", "source", "metrics", "series", "env", "stdout_tail", "issues"})
    EXPECT_FALSE(failed.contains(key)) << key;
  EXPECT_FALSE(failed["process"].contains("exit_code"));
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "seedgate-results-v2.json";
  ASSERT_TRUE(save_results(path, results));
  auto text = util::read_file(path);
  auto loaded = load_results(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded) << loaded.error();
  // One run per line, after everything else.
  EXPECT_NE(text->find("\"runs\": [\n    {\""), std::string::npos) << *text;
  EXPECT_EQ(text->find("\"runs\""), text->rfind("\"runs\""));
  ASSERT_EQ(loaded->runs.size(), 2u);
  // As text, invalid UTF-8 replaced: the file holds it replaced.
  auto text_of = [](const nlohmann::json& v) {
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(text_of(to_json(loaded->runs[i])), text_of(to_json(results.runs[i])));
  EXPECT_EQ(text_of(to_json(*loaded)), text_of(value));
}

// A results file streamed run by run still refuses what is not one.
TEST(ResultsTest, StreamedReadingRefusesBrokenFiles) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "seedgate-results-broken.json";
  std::string good = to_json(sample()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {good.substr(0, good.size() / 2), "not valid JSON"},
           {R"({"schema_version": 2, "runs": [1, 2]})", "a run's record is not an object"},
           {R"({"schema_version": 2})", "it has no \"runs\""},
           {"[]", "it has no \"runs\""},
       }) {
    ASSERT_TRUE(util::write_file_atomic(path, text));
    auto loaded = load_results(path);
    ASSERT_FALSE(loaded) << text;
    EXPECT_NE(loaded.error().find(expected), std::string::npos) << loaded.error();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace seedgate
