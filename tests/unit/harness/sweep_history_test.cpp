// The sweep in the history: what identifies it, what a store keeps of it,
// which earlier sweeps a drift check gets, and each metric's trend.
#include "harness/sweep_history.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

namespace seedgate {
namespace {

namespace fs = std::filesystem;

class SweepHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("seedgate-sweep-history-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    auto opened = history::open_store("sqlite:history.db", m_dir);
    ASSERT_TRUE(opened) << opened.error();
    m_store = std::move(*opened);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  // A judged sweep on `branch`: seeds 0..2 (two repeats each) at `mean`.
  static SweepResults sweep(const std::string& id, const std::string& started, double mean, bool passed,
                            const std::string& branch = "main") {
    SweepResults r;
    r.sweep_id = id;
    r.started = started;
    r.branch = branch;
    r.commit = "abc";
    r.verdict = passed ? SweepVerdict::pass : SweepVerdict::fail;
    for (int seed = 0; seed < 3; ++seed) {
      for (int repeat = 0; repeat < 2; ++repeat) {
        RunRecord record;
        record.run.seed = seed;
        record.run.repeat = repeat;
        record.run.mode = "deterministic";
        record.run.device = "cpu";
        record.report.metrics["accuracy"] = mean + 0.01 * (seed - 1) + 0.002 * repeat;
        r.runs.push_back(record);
      }
    }
    return r;
  }

  // The i-th sweep's start, i < 60: they sort as text in the order of i.
  static std::string night(int i) { return fmt::format("2026-10-01T03:{:02d}:00.000000Z", i); }

  static Policy drift_policy(double window, double span) {
    Policy policy;
    CheckEntry entry;
    entry.spec.name = "drift-accuracy";
    entry.spec.metric = "accuracy";
    checks::DriftSpec drift;
    drift.window = window;
    drift.span = span;
    entry.spec.params = drift;
    policy.checks.push_back(entry);
    return policy;
  }

  fs::path m_dir;
  std::unique_ptr<history::Store> m_store;
};

TEST_F(SweepHistoryTest, StampGivesAnIdATimeAndTheEnginesBranch) {
  ::setenv("GITHUB_ACTIONS", "true", 1);
  ::setenv("GITHUB_SHA", "0123456789abcdef", 1);
  ::setenv("GITHUB_REF_NAME", "release", 1);
  ::unsetenv("GITHUB_HEAD_REF");
  SweepResults r;
  stamp_sweep(r, nullptr, m_dir);
  EXPECT_TRUE(std::regex_match(r.started, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)"))) << r.started;
  EXPECT_TRUE(std::regex_match(r.sweep_id, std::regex(R"(\d{8}T\d{6}Z-[0-9a-f]{8})"))) << r.sweep_id;
  EXPECT_EQ(r.commit, "0123456789abcdef");
  EXPECT_EQ(r.branch, "release");
  // The policy's branch wins; what is already set is kept.
  Policy policy;
  policy.history.branch = "nightly";
  SweepResults again = r;
  stamp_sweep(again, &policy, m_dir);
  EXPECT_EQ(again.sweep_id, r.sweep_id);
  EXPECT_EQ(again.started, r.started);
  EXPECT_EQ(again.branch, "nightly");
  ::unsetenv("GITHUB_ACTIONS");
  ::unsetenv("GITHUB_SHA");
  ::unsetenv("GITHUB_REF_NAME");
}

TEST_F(SweepHistoryTest, AppendedOnceAndReadBack) {
  SweepResults r = sweep("s1", night(1), 0.9, true);
  auto first = append_sweep(*m_store, r);
  ASSERT_TRUE(first) << first.error();
  EXPECT_TRUE(*first);
  auto second = append_sweep(*m_store, r);
  ASSERT_TRUE(second) << second.error();
  EXPECT_FALSE(*second);
  auto loaded = m_store->load({"s1"}, {});
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_EQ(loaded->at(0).runs.size(), 6u);
  EXPECT_EQ(loaded->at(0).runs[3].metrics.at("accuracy"), r.runs[3].report.metrics.at("accuracy"));
  EXPECT_EQ(loaded->at(0).verdict, "pass");
}

// After a run of failed nights the drift check still gets a full reference
// of accepted sweeps before its span, and only sweeps from before this one.
TEST_F(SweepHistoryTest, FailedNightsDoNotStarveTheReference) {
  for (int i = 1; i <= 40; ++i)
    ASSERT_TRUE(m_store->append(to_record(sweep(fmt::format("s{}", i), night(i), 0.9, i <= 15))));
  SweepResults now = sweep("now", night(59), 0.9, true);
  ASSERT_TRUE(read_history(*m_store, drift_policy(5, 4), now));
  ASSERT_TRUE(now.history_loaded);
  const auto& past = now.history.at("main");
  // 3 newest for the span (all failed), then back until 5 accepted: sweeps 11..15 and the failed 16..37 between.
  std::size_t accepted = 0;
  for (const auto& p : past) accepted += p.accepted ? 1 : 0;
  EXPECT_EQ(accepted, 5u);
  ASSERT_FALSE(past.empty());
  EXPECT_EQ(past.front().id, "s11");
  EXPECT_EQ(past.back().id, "s40");
  EXPECT_EQ(past.back().runs.size(), 6u);
}

TEST_F(SweepHistoryTest, ABranchSeesOnlyItsOwnSweeps) {
  ASSERT_TRUE(m_store->append(to_record(sweep("m1", night(1), 0.9, true, "main"))));
  ASSERT_TRUE(m_store->append(to_record(sweep("f1", night(2), 0.5, true, "feature"))));
  SweepResults now = sweep("now", night(3), 0.9, true, "main");
  ASSERT_TRUE(read_history(*m_store, drift_policy(3, 2), now));
  ASSERT_EQ(now.history.at("main").size(), 1u);
  EXPECT_EQ(now.history.at("main")[0].id, "m1");
}

// A sweep's level: per-seed means over repeats, then their mean and the 95% t interval.
TEST_F(SweepHistoryTest, TrendIsTheMeanOfPerSeedMeans) {
  ASSERT_TRUE(m_store->append(to_record(sweep("s1", night(1), 0.9, true))));
  SweepResults now = sweep("s2", night(2), 0.8, false);
  auto trend = read_trend(*m_store, now, {"accuracy"}, 10);
  ASSERT_TRUE(trend) << trend.error();
  ASSERT_EQ(trend->size(), 1u);
  const TrendSeries& series = trend->at(0);
  EXPECT_EQ(series.group, "mode=deterministic, device=cpu");
  ASSERT_EQ(series.points.size(), 2u);
  // Per-seed means 0.891, 0.901, 0.911: mean 0.901, std 0.01, t(2, 0.975) = 4.302652729749464 (scipy).
  EXPECT_NEAR(series.points[0].mean, 0.901, 1e-12);
  EXPECT_NEAR(series.points[0].upper - series.points[0].mean, 4.302652729749464 * 0.01 / std::sqrt(3.0), 1e-9);
  EXPECT_EQ(series.points[0].seeds, 3u);
  EXPECT_FALSE(series.points[0].current);
  EXPECT_TRUE(series.points[1].current);
  EXPECT_EQ(series.points[1].verdict, "fail");
  EXPECT_NEAR(series.points[1].mean, 0.801, 1e-12);
}

}  // namespace
}  // namespace seedgate
