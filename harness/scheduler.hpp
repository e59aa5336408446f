#pragma once
// Runs a list of jobs through a CommandRunner, using at most `jobs` CPU slots
// at once (a job with a thread count takes that many) and at most one job per
// GPU slot. Jobs start in list order: a job waiting for CPU slots holds back
// the jobs behind it (so it is not starved), but a GPU job waiting for a GPU
// slot does not hold back the CPU jobs behind it. A job needing more CPU
// slots than there are runs alone.
#include <functional>
#include <vector>

#include "harness/runner.hpp"
#include "util/result.hpp"

namespace seedgate {

struct SchedulerStats {
  std::size_t started = 0;
  std::size_t finished = 0;
  std::size_t not_started = 0;  // left when seedgate was interrupted or `stop` said so
  std::size_t peak_parallel = 0;
};

struct JobNeeds {
  bool gpu = false;
  int cpus = 1;
};

class Scheduler {
 public:
  // Builds a job's command just before it starts; `gpu_slot` is -1 for CPU jobs.
  using Prepare = std::function<util::Result<ProcessSpec>(std::size_t job, int gpu_slot)>;
  using Finish = std::function<void(std::size_t job, const ProcessResult& result)>;
  // Asked before each start: true stops starting jobs (those running finish).
  using Stop = std::function<bool()>;

  Scheduler(CommandRunner& runner, int jobs, int gpu_slots);
  SchedulerStats run(const std::vector<JobNeeds>& needs, const Prepare& prepare, const Finish& finish,
                     const Stop& stop = {});

 private:
  CommandRunner& m_runner;
  int m_jobs;
  int m_gpu_slots;
};

}  // namespace seedgate
