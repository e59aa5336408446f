#include "harness/scheduler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "harness/makespan.hpp"

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

// Runs `needs` on 4 CPU slots and `gpu_slots` GPU slots, job i taking
// durations[i] (100 each where not given); returns the GPU slot each job got.
std::vector<int> gpu_slots_taken(FakeRunner& runner, int gpu_slots, const std::vector<JobNeeds>& needs,
                                 std::vector<long> durations = {}) {
  durations.resize(needs.size(), 100);
  std::vector<int> slots(needs.size(), -2);
  Scheduler(runner, 4, gpu_slots)
      .run(
          needs,
          [&](std::size_t job, int slot) -> util::Result<ProcessSpec> {
            slots[job] = slot;
            ProcessSpec spec;
            spec.argv = {std::to_string(durations[job])};
            return spec;
          },
          [](std::size_t, const ProcessResult&) {});
  return slots;
}

TEST(SchedulerTest, GpuJobsShareSlotsCpuJobsDoNotWait) {
  FakeRunner runner;
  EXPECT_EQ(gpu_slots_taken(runner, 1, {{true}, {true}, {}, {}}), (std::vector<int>{0, 0, -1, -1}));
  // GPU job 1 waited for job 0; CPU jobs 2 and 3 started at once.
  EXPECT_EQ(runner.m_started, (std::vector<std::size_t>{0, 2, 3, 1}));
  EXPECT_EQ(runner.m_now, 200);
}

// Jobs 1 and 3 run on GPU 1 only ("cuda:1"). Job 0 takes slot 0, job 1 its
// own slot 1; at 100 job 2 takes slot 0; at 200 slot 0 frees again but job 3
// waits for slot 1, which frees at 300.
TEST(SchedulerTest, AJobPinnedToOneGpuWaitsForThatGpusSlot) {
  FakeRunner runner;
  EXPECT_EQ(gpu_slots_taken(runner, 2, {{true}, {true, 1, -1, 1}, {true}, {true, 1, -1, 1}}, {100, 300, 100, 100}),
            (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(runner.m_started, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(runner.m_now, 400);
}

// A job pinned past the slots (a GPU not shared among them) takes any free one.
TEST(SchedulerTest, AJobPinnedPastTheSlotsTakesAnyFreeSlot) {
  FakeRunner runner;
  EXPECT_EQ(gpu_slots_taken(runner, 1, {{true, 1, -1, 5}, {true, 1, -1, 5}}), (std::vector<int>{0, 0}));
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

// Runs jobs of the given durations (seconds of virtual time) on `jobs` slots,
// each job's expected duration known exactly or not at all; returns the
// make-span and fills the start order.
double make_span(const std::vector<long>& seconds, int jobs, bool known, std::vector<std::size_t>* order = nullptr) {
  FakeRunner runner;
  Scheduler scheduler(runner, jobs, 0);
  std::vector<JobNeeds> needs(seconds.size());
  if (known)
    for (std::size_t i = 0; i < seconds.size(); ++i) needs[i].expected_seconds = static_cast<double>(seconds[i]);
  scheduler.run(
      needs,
      [&](std::size_t job, int) -> util::Result<ProcessSpec> {
        ProcessSpec spec;
        spec.argv = {std::to_string(seconds[job] * 1000)};
        return spec;
      },
      [](std::size_t, const ProcessResult&) {});
  if (order) *order = runner.m_started;
  return static_cast<double>(runner.m_now) / 1000;
}

std::vector<double> as_doubles(const std::vector<long>& seconds) {
  return {seconds.begin(), seconds.end()};
}

// Graham's (1969) guarantee for longest-first on m slots.
double lpt_ratio(int m) {
  return 4.0 / 3.0 - 1.0 / (3.0 * m);
}

TEST(SchedulerLongestFirstTest, KnownDurationsStartLongestFirstAndBeatListOrder) {
  // 1..10 s, shortest first: the worst order for two slots, the 10 s job starts last.
  std::vector<long> seconds = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  double bound = lpt_bound(as_doubles(seconds), 2);
  EXPECT_DOUBLE_EQ(bound, 27.5);  // 55 s of work on 2 slots
  double list_order = make_span(seconds, 2, false);
  std::vector<std::size_t> order;
  double longest_first = make_span(seconds, 2, true, &order);
  EXPECT_EQ(order, (std::vector<std::size_t>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_GT(list_order, longest_first);
  EXPECT_LE(longest_first, lpt_ratio(2) * bound);
  EXPECT_GE(longest_first, bound);
}

TEST(SchedulerLongestFirstTest, ListOrderCanMissGrahamsBoundWhereLongestFirstMeetsIt) {
  // Ten 1 s jobs, then one of 10 s: in list order the 10 s job starts once the
  // short ones are done and runs alone.
  std::vector<long> seconds(10, 1);
  seconds.push_back(10);
  for (int m : {2, 3}) {
    double bound = lpt_bound(as_doubles(seconds), m);
    EXPECT_GT(make_span(seconds, m, false), lpt_ratio(m) * bound) << m << " slots";
    EXPECT_LE(make_span(seconds, m, true), lpt_ratio(m) * bound) << m << " slots";
  }
}

TEST(SchedulerLongestFirstTest, GrahamsTightCaseReachesTheBoundExactly) {
  // Graham (1969): 2m-1, 2m-1, ..., m+1, m+1, m, m, m on m slots takes 4m-1
  // longest first against 3m at best; for m = 2: 3, 3, 2, 2, 2 takes 7 against 6.
  std::vector<long> seconds = {2, 2, 2, 3, 3};
  double bound = lpt_bound(as_doubles(seconds), 2);
  EXPECT_DOUBLE_EQ(bound, 6);
  EXPECT_DOUBLE_EQ(make_span(seconds, 2, true), lpt_ratio(2) * bound);
}

TEST(SchedulerLongestFirstTest, TiesKeepListOrderAndUnknownDurationsGoFirst) {
  FakeRunner runner;
  Scheduler scheduler(runner, 1, 0);
  // Job 2 and 4 are unknown: they start first, in list order; 1 and 3 tie.
  std::vector<JobNeeds> needs(5);
  needs[0].expected_seconds = 1;
  needs[1].expected_seconds = 5;
  needs[3].expected_seconds = 5;
  needs[2].expected_seconds = -1;
  needs[4].expected_seconds = std::nan("");
  scheduler.run(
      needs,
      [&](std::size_t, int) -> util::Result<ProcessSpec> {
        ProcessSpec spec;
        spec.argv = {"1"};
        return spec;
      },
      [](std::size_t, const ProcessResult&) {});
  EXPECT_EQ(runner.m_started, (std::vector<std::size_t>{2, 4, 1, 3, 0}));
}

TEST(SchedulerLongestFirstTest, AGpuJobWaitingForItsSlotStillDoesNotHoldBackCpuJobs) {
  FakeRunner runner;
  Scheduler scheduler(runner, 3, 1);
  // Two long GPU jobs on one GPU, then short CPU jobs: the second GPU job
  // waits for the GPU while the CPU jobs take the free CPU slots.
  std::vector<JobNeeds> needs = {{false, 1, 1}, {true, 1, 10}, {false, 1, 2}, {true, 1, 9}};
  std::vector<long> seconds = {1, 10, 2, 9};
  std::vector<long> started_at(needs.size(), -1);
  scheduler.run(
      needs,
      [&](std::size_t job, int) -> util::Result<ProcessSpec> {
        started_at[job] = runner.m_now;
        ProcessSpec spec;
        spec.argv = {std::to_string(seconds[job])};
        return spec;
      },
      [](std::size_t, const ProcessResult&) {});
  EXPECT_EQ(runner.m_started, (std::vector<std::size_t>{1, 2, 0, 3}));
  EXPECT_EQ(started_at, (std::vector<long>{0, 0, 0, 10}));
}

TEST(SchedulerLongestFirstTest, AWideJobWaitingForCpuSlotsStillHoldsBackTheShorterOnes) {
  FakeRunner runner;
  Scheduler scheduler(runner, 2, 0);
  // Longest first: 3 (6 s), 1 (5 s, both slots), 2 (3 s), 0 (1 s).
  std::vector<JobNeeds> needs = {{false, 1, 1}, {false, 2, 5}, {false, 1, 3}, {false, 1, 6}};
  std::vector<long> seconds = {1, 5, 3, 6};
  std::vector<long> started_at(needs.size(), -1);
  scheduler.run(
      needs,
      [&](std::size_t job, int) -> util::Result<ProcessSpec> {
        started_at[job] = runner.m_now;
        ProcessSpec spec;
        spec.argv = {std::to_string(seconds[job])};
        return spec;
      },
      [](std::size_t, const ProcessResult&) {});
  // Job 1 waits for job 3 to finish, and jobs 2 and 0 wait behind it
  // although a slot is free, so they cannot starve it.
  EXPECT_EQ(runner.m_started, (std::vector<std::size_t>{3, 1, 2, 0}));
  EXPECT_EQ(started_at, (std::vector<long>{11, 6, 11, 0}));
}

}  // namespace
}  // namespace seedgate
