#pragma once
// Runs a list of jobs through a CommandRunner, using at most `jobs` CPU slots
// at once (a job with a thread count takes that many) and at most one job per
// GPU slot. A job pinned to one GPU (device "cuda:N") waits for slot N, the
// slot whose runs see GPU N; pinned to a GPU past the slots, it takes any.
//
// Start order: when any job's expected duration is known, the longest
// expected first (LPT), ties in list order; otherwise list order. LPT keeps
// the make-span within 4/3 - 1/(3m) of the shortest possible on m slots
// (Graham 1969, see harness/makespan.hpp), because the jobs that start last,
// and may run on alone at the end, are the short ones. Jobs of unknown
// duration start before every known one, in list order among themselves: an
// unknown job may be the longest of all, and started late it would run on
// alone at the end, the very case LPT avoids; started first it overlaps the
// rest of the sweep whatever its length, and if it is short it delays the
// long known jobs by no more than its own duration.
//
// In that order, a job waiting for CPU slots holds back the jobs behind it
// (so it is not starved), but a GPU job waiting for a GPU slot does not hold
// back the CPU jobs behind it. A job needing more CPU slots than there are
// runs alone.
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
  double expected_seconds = -1;  // how long the job should take; negative: unknown
  int gpu_device = -1;           // the one GPU the job runs on ("cuda:N"); -1: whichever slot is free
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
