#include "harness/makespan.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "harness/sweep.hpp"

namespace seedgate {
namespace {

RunSpec run_of(std::int64_t seed, std::string device = "cpu", int threads = 0, std::string variant = "", int fold = -1,
               std::string mode = "deterministic") {
  RunSpec run;
  run.seed = seed;
  run.mode = std::move(mode);
  run.device = std::move(device);
  run.threads = threads;
  run.variant = std::move(variant);
  run.fold = fold;
  run.id = "s" + std::to_string(seed) + "-" + run.variant + "-" + run.mode + "-" + run.device + "-t" +
           std::to_string(threads) + "-f" + std::to_string(fold);
  return run;
}

RunRecord finished(const RunSpec& run, double seconds, RunStatus status = RunStatus::passed) {
  RunRecord record;
  record.run = run;
  record.status = status;
  record.process.wall_seconds = seconds;
  return record;
}

TEST(ExpectedSecondsTest, ARunsOwnEarlierTimeWinsOverItsConfiguration) {
  std::vector<RunRecord> earlier = {finished(run_of(0), 2), finished(run_of(1), 6), finished(run_of(2), 10)};
  EXPECT_EQ(expected_seconds({run_of(1), run_of(3)}, earlier), (std::vector<double>{6, 6}));
  // Seed 3 never ran: the mean of seeds 0..2, (2 + 6 + 10) / 3.
  EXPECT_EQ(expected_seconds({run_of(3)}, earlier), (std::vector<double>{6}));
  EXPECT_EQ(expected_seconds({run_of(2)}, earlier), (std::vector<double>{10}));
}

TEST(ExpectedSecondsTest, OnlyRunsOfTheSameConfigurationCount) {
  std::vector<RunRecord> earlier = {finished(run_of(0), 1),
                                    finished(run_of(0, "cuda"), 2),
                                    finished(run_of(0, "cpu", 2), 3),
                                    finished(run_of(0, "cpu", 0, "deep"), 4),
                                    finished(run_of(0, "cpu", 0, "", 1), 5),
                                    finished(run_of(0, "cpu", 0, "", -1, "default"), 6)};
  std::vector<RunSpec> runs = {run_of(7),
                               run_of(7, "cuda"),
                               run_of(7, "cpu", 2),
                               run_of(7, "cpu", 0, "deep"),
                               run_of(7, "cpu", 0, "", 1),
                               run_of(7, "cpu", 0, "", -1, "default"),
                               run_of(7, "cpu", 4),
                               run_of(7, "cpu", 0, "", 2)};
  EXPECT_EQ(expected_seconds(runs, earlier), (std::vector<double>{1, 2, 3, 4, 5, 6, -1, -1}));
}

TEST(ExpectedSecondsTest, OnlyFinishedRunsCountAndTheLastRecordOfARunWins) {
  RunRecord spawn_failed = finished(run_of(3), 0, RunStatus::failed);
  spawn_failed.process.status = ProcessResult::Status::spawn_failed;
  std::vector<RunRecord> earlier = {
      finished(run_of(0), 4),
      finished(run_of(0), 8),                            // a later sweep of seed 0: its time counts
      finished(run_of(1), 100, RunStatus::interrupted),  // killed partway: says nothing
      finished(run_of(1), 100, RunStatus::skipped),
      finished(run_of(1), 100, RunStatus::violated),
      finished(run_of(2), 30, RunStatus::timed_out),  // ran its whole allowance
      finished(run_of(4), 10, RunStatus::failed),
      spawn_failed,
  };
  // Seed 1's own records are left out; its configuration's mean is over
  // 4, 8, 30 and 10 (both records of seed 0 are runs that happened).
  EXPECT_EQ(expected_seconds({run_of(0), run_of(1), run_of(2), run_of(3)}, earlier),
            (std::vector<double>{8, 13, 30, 13}));
  EXPECT_EQ(expected_seconds({run_of(0)}, {}), (std::vector<double>{-1}));
}

TEST(LptBoundTest, TheLongestJobOrTheWorkSharedOutWhicheverIsLonger) {
  EXPECT_DOUBLE_EQ(lpt_bound({3, 3, 2, 2, 2}, 2), 6);  // 12 s of work on 2 slots
  EXPECT_DOUBLE_EQ(lpt_bound({10, 1, 1}, 2), 10);      // one job longer than the rest together
  EXPECT_DOUBLE_EQ(lpt_bound({4, -1, 2}, 3), 4);       // unknown durations are left out
  EXPECT_DOUBLE_EQ(lpt_bound({4, 2}, 0), 6);           // no slots is one slot
  EXPECT_DOUBLE_EQ(lpt_bound({}, 4), 0);
}

// A sweep end to end through run_sweep: an adapter whose command names the
// run, and a runner with virtual time whose run of id X takes `seconds[X]`.
class NamingAdapter : public Adapter {
 public:
  std::string name() const override { return "naming"; }
  ProcessSpec command_for(const Policy&, const RunSpec& run, const RunContext& context,
                          const std::map<std::string, std::string>&) const override {
    ProcessSpec spec;
    spec.argv = {run.id, std::to_string(context.gpu_slot)};
    return spec;
  }
  RunReport collect(const Policy&, const RunSpec&, const RunContext&, const ProcessSpec&) const override { return {}; }
};

class TimedRunner : public CommandRunner {
 public:
  explicit TimedRunner(std::map<std::string, double> seconds) : m_seconds(std::move(seconds)) {}
  void start(std::size_t token, const ProcessSpec& spec) override {
    double seconds = m_seconds.at(spec.argv.at(0));
    m_running.emplace(m_now + seconds, std::make_pair(token, seconds));
    started.push_back(spec.argv.at(0));
    gpu_slots.push_back(std::stoi(spec.argv.at(1)));
    peak = std::max(peak, m_running.size());
  }
  std::optional<Completion> wait() override {
    if (m_running.empty()) return std::nullopt;
    auto next = m_running.begin();
    m_now = next->first;
    Completion c{next->second.first, {}};
    c.result.wall_seconds = next->second.second;
    m_running.erase(next);
    if (stop_after > 0 && --stop_after == 0) m_interrupted = true;
    return c;
  }
  bool interrupted() const override { return m_interrupted; }

  std::vector<std::string> started;
  std::vector<int> gpu_slots;
  std::size_t peak = 0;
  int stop_after = 0;  // > 0: behave as if interrupted after that many finish

 private:
  std::map<std::string, double> m_seconds;
  std::multimap<double, std::pair<std::size_t, double>> m_running;
  double m_now = 0;
  bool m_interrupted = false;
};

class SweepOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_out = std::filesystem::temp_directory_path() / ("seedgate-makespan-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_out);
    m_policy.sweep.seeds.seeds = {0, 1, 2, 3};
    m_policy.sweep.jobs = 1;
    m_options.out_dir = m_out;
    m_options.gpu_count = 0;
  }
  void TearDown() override { std::filesystem::remove_all(m_out); }

  std::filesystem::path m_out;
  Policy m_policy;
  SweepOptions m_options;
  NamingAdapter m_adapter;
};

TEST_F(SweepOrderTest, EarlierRunsStartTheLongestFirst) {
  // Seed 2 is slow, seed 0 quick.
  std::map<std::string, double> seconds = {{"s0-deterministic-cpu-r0", 1},
                                           {"s1-deterministic-cpu-r0", 3},
                                           {"s2-deterministic-cpu-r0", 9},
                                           {"s3-deterministic-cpu-r0", 2}};
  TimedRunner first(seconds);
  auto results = run_sweep(m_policy, m_adapter, first, m_options);
  ASSERT_TRUE(results) << results.error();
  // Nothing known yet: plan order.
  EXPECT_EQ(first.started, (std::vector<std::string>{"s0-deterministic-cpu-r0", "s1-deterministic-cpu-r0",
                                                     "s2-deterministic-cpu-r0", "s3-deterministic-cpu-r0"}));
  m_options.earlier_runs = results->runs;
  TimedRunner second(seconds);
  ASSERT_TRUE(run_sweep(m_policy, m_adapter, second, m_options));
  EXPECT_EQ(second.started, (std::vector<std::string>{"s2-deterministic-cpu-r0", "s1-deterministic-cpu-r0",
                                                      "s3-deterministic-cpu-r0", "s0-deterministic-cpu-r0"}));
}

TEST_F(SweepOrderTest, ResumedRunsTellHowLongTheirConfigurationTakes) {
  // Default-mode runs take three times as long; nothing earlier is known.
  m_policy.sweep.modes = {"deterministic", "default"};
  std::map<std::string, double> seconds;
  for (int seed = 0; seed < 4; ++seed) {
    seconds["s" + std::to_string(seed) + "-deterministic-cpu-r0"] = 1;
    seconds["s" + std::to_string(seed) + "-default-cpu-r0"] = 3;
  }
  TimedRunner interrupted(seconds);
  interrupted.stop_after = 2;  // seed 0's two runs finish, then seedgate is stopped
  ASSERT_TRUE(run_sweep(m_policy, m_adapter, interrupted, m_options));
  EXPECT_EQ(interrupted.started, (std::vector<std::string>{"s0-deterministic-cpu-r0", "s0-default-cpu-r0"}));
  m_options.resume = true;
  TimedRunner resumed(seconds);
  ASSERT_TRUE(run_sweep(m_policy, m_adapter, resumed, m_options));
  EXPECT_EQ(resumed.started, (std::vector<std::string>{"s1-default-cpu-r0", "s2-default-cpu-r0", "s3-default-cpu-r0",
                                                       "s1-deterministic-cpu-r0", "s2-deterministic-cpu-r0",
                                                       "s3-deterministic-cpu-r0"}));
}

TEST_F(SweepOrderTest, ThePolicysGpusShareOutGpuSlotsUnlessTheCallerSaysOtherwise) {
  m_policy.sweep.devices = {"cuda"};
  m_policy.sweep.jobs = 4;
  m_policy.sweep.gpus = 2;
  m_options.gpu_count = -1;
  std::map<std::string, double> seconds;
  for (int seed = 0; seed < 4; ++seed) seconds["s" + std::to_string(seed) + "-deterministic-cuda-r0"] = 1;
  TimedRunner two(seconds);
  auto results = run_sweep(m_policy, m_adapter, two, m_options);
  ASSERT_TRUE(results) << results.error();
  EXPECT_EQ(two.peak, 2u);
  EXPECT_EQ(two.gpu_slots, (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(results->environment["gpu_count"], 2);

  m_options.gpu_count = 1;  // the caller's count wins over the policy's
  TimedRunner one(seconds);
  ASSERT_TRUE(run_sweep(m_policy, m_adapter, one, m_options));
  EXPECT_EQ(one.peak, 1u);
  EXPECT_EQ(one.gpu_slots, (std::vector<int>{0, 0, 0, 0}));

  m_options.gpu_count = -1;
  m_policy.sweep.gpus = 0;  // no GPUs: the cuda runs are skipped, whatever is detected
  TimedRunner none(seconds);
  results = run_sweep(m_policy, m_adapter, none, m_options);
  ASSERT_TRUE(results) << results.error();
  EXPECT_TRUE(none.started.empty());
  ASSERT_EQ(results->runs.size(), 4u);
  EXPECT_EQ(results->runs[0].status, RunStatus::skipped);
  EXPECT_EQ(results->runs[0].message, "no GPU on this machine");
}

}  // namespace
}  // namespace seedgate
