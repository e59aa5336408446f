#include "harness/results.hpp"

#include <gtest/gtest.h>

#include <cmath>

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
  return results;
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
}

TEST(ResultsTest, RejectsOtherSchemaVersions) {
  nlohmann::json value = to_json(sample());
  value["schema_version"] = 99;
  auto loaded = results_from_json(value, "old.json");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), "old.json: results schema version 99 is not supported (this seedgate reads 1)");
}

TEST(ResultsTest, RejectsNonResults) {
  auto loaded = results_from_json(nlohmann::json::object({{"hello", 1}}), "x.json");
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(loaded.error().starts_with("x.json: not a seedgate results file: ")) << loaded.error();
}

}  // namespace
}  // namespace seedgate
