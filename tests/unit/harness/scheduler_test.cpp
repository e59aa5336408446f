#include "harness/scheduler.hpp"

#include <gtest/gtest.h>

#include <map>

namespace seedgate {
namespace {

// A runner with virtual time: each command "takes" the duration encoded in
// argv[0] (milliseconds); wait() jumps the clock to the next finish.
class FakeRunner : public CommandRunner {
 public:
  void start(std::size_t token, const ProcessSpec& spec) override {
    long duration = std::stol(spec.argv.at(0));
    m_running.emplace(m_now + duration, token);
    m_max_running = std::max(m_max_running, m_running.size());
    m_started.push_back(token);
    m_env_of[token] = spec.env;
  }
  std::optional<Completion> wait() override {
    if (m_running.empty()) return std::nullopt;
    auto next = m_running.begin();
    m_now = next->first;
    Completion c{next->second, {}};
    c.result.wall_seconds = 0;
    m_running.erase(next);
    if (m_interrupt_after && --m_interrupt_after == 0) m_interrupted = true;
    return c;
  }
  bool interrupted() const override { return m_interrupted; }

  long m_now = 0;
  std::size_t m_max_running = 0;
  std::vector<std::size_t> m_started;
  std::map<std::size_t, std::map<std::string, std::string>> m_env_of;
  int m_interrupt_after = 0;
  bool m_interrupted = false;

 private:
  std::multimap<long, std::size_t> m_running;
};

TEST(SchedulerTest, RunsEverythingWithinJobLimit) {
  FakeRunner runner;
  Scheduler scheduler(runner, 3, 0);
  std::vector<long> durations = {100, 10, 10, 10, 50, 50, 10, 10, 10, 10};
  std::vector<std::size_t> finished;
  auto stats = scheduler.run(
      std::vector<JobNeeds>(durations.size()),
      [&](std::size_t job, int) -> util::Result<ProcessSpec> {
        ProcessSpec spec;
        spec.argv = {std::to_string(durations[job])};
        return spec;
      },
      [&](std::size_t job, const ProcessResult&) { finished.push_back(job); });
  EXPECT_EQ(stats.started, durations.size());
  EXPECT_EQ(stats.finished, durations.size());
  EXPECT_EQ(stats.not_started, 0u);
  EXPECT_EQ(runner.m_max_running, 3u);
  EXPECT_EQ(stats.peak_parallel, 3u);
  EXPECT_EQ(finished.size(), durations.size());
  // The long job 0 overlaps the others: with 3 slots the sweep takes 100, not 270.
  EXPECT_EQ(runner.m_now, 100);
  EXPECT_EQ(runner.m_started.front(), 0u);
}

TEST(SchedulerTest, GpuJobsShareSlotsCpuJobsDoNotWait) {
  FakeRunner runner;
  Scheduler scheduler(runner, 4, 1);
  std::vector<JobNeeds> gpu = {{true}, {true}, {}, {}};
  std::vector<int> slots(4, -2);
  scheduler.run(
      gpu,
      [&](std::size_t job, int slot) -> util::Result<ProcessSpec> {
        slots[job] = slot;
        ProcessSpec spec;
        spec.argv = {"100"};
        return spec;
      },
      [](std::size_t, const ProcessResult&) {});
  EXPECT_EQ(slots, (std::vector<int>{0, 0, -1, -1}));
  // GPU job 1 waited for job 0; CPU jobs 2 and 3 started at once.
  EXPECT_EQ(runner.m_started, (std::vector<std::size_t>{0, 2, 3, 1}));
  EXPECT_EQ(runner.m_now, 200);
}

TEST(SchedulerTest, ThreadedJobsTakeTheirThreadCountInCpuSlots) {
  FakeRunner runner;
  Scheduler scheduler(runner, 2, 0);
  // Two 1-thread jobs, two 2-thread jobs, a 4-thread job, then a 1-thread job.
  std::vector<JobNeeds> needs = {{false, 1}, {false, 1}, {false, 2}, {false, 2}, {false, 4}, {false, 1}};
  std::vector<long> started_at(needs.size(), -1);
  scheduler.run(
      needs,
      [&](std::size_t job, int) -> util::Result<ProcessSpec> {
        started_at[job] = runner.m_now;
        ProcessSpec spec;
        spec.argv = {"10"};
        return spec;
      },
      [](std::size_t, const ProcessResult&) {});
  // 0 and 1 together; then 2 and 3 one after the other, each filling both
  // slots; 4 needs more slots than there are and runs alone; 5 waits its turn.
  EXPECT_EQ(started_at, (std::vector<long>{0, 0, 10, 20, 30, 40}));
  EXPECT_EQ(runner.m_max_running, 2u);
}

TEST(SchedulerTest, PrepareFailureBecomesAFailedJob) {
  FakeRunner runner;
  Scheduler scheduler(runner, 2, 0);
  std::map<std::size_t, ProcessResult> results;
  scheduler.run(
      std::vector<JobNeeds>(2),
      [&](std::size_t job, int) -> util::Result<ProcessSpec> {
        if (job == 0) return util::make_error("cannot create run folder");
        ProcessSpec spec;
        spec.argv = {"5"};
        return spec;
      },
      [&](std::size_t job, const ProcessResult& r) { results[job] = r; });
  EXPECT_EQ(results.at(0).status, ProcessResult::Status::spawn_failed);
  EXPECT_EQ(results.at(0).spawn_error, "cannot create run folder");
  EXPECT_TRUE(results.at(1).succeeded());
}

TEST(SchedulerTest, InterruptStopsStartingNewJobs) {
  FakeRunner runner;
  runner.m_interrupt_after = 2;
  Scheduler scheduler(runner, 2, 0);
  std::size_t finished = 0;
  auto stats = scheduler.run(
      std::vector<JobNeeds>(10),
      [&](std::size_t, int) -> util::Result<ProcessSpec> {
        ProcessSpec spec;
        spec.argv = {"10"};
        return spec;
      },
      [&](std::size_t, const ProcessResult&) { ++finished; });
  EXPECT_EQ(stats.started, 3u);  // two at first, one after the first finish
  EXPECT_EQ(finished, 3u);       // whatever started is waited for
  EXPECT_EQ(stats.not_started, 7u);
}

}  // namespace
}  // namespace seedgate
