#include "harness/scheduler.hpp"

#include <algorithm>
#include <list>
#include <map>

namespace seedgate {

Scheduler::Scheduler(CommandRunner& runner, int jobs, int gpu_slots)
    : m_runner(runner), m_jobs(std::max(1, jobs)), m_gpu_slots(std::max(0, gpu_slots)) {}

SchedulerStats Scheduler::run(const std::vector<bool>& needs_gpu, const Prepare& prepare, const Finish& finish) {
  SchedulerStats stats;
  std::list<std::size_t> pending;
  for (std::size_t i = 0; i < needs_gpu.size(); ++i) pending.push_back(i);
  std::vector<bool> gpu_busy(static_cast<std::size_t>(m_gpu_slots), false);
  std::map<std::size_t, int> slot_of;  // running job -> GPU slot
  std::size_t running = 0;

  auto start_what_fits = [&] {
    for (auto it = pending.begin(); it != pending.end() && running < static_cast<std::size_t>(m_jobs);) {
      if (m_runner.interrupted()) return;
      std::size_t job = *it;
      int slot = -1;
      if (needs_gpu[job]) {
        auto free_slot = std::find(gpu_busy.begin(), gpu_busy.end(), false);
        if (free_slot == gpu_busy.end()) {
          ++it;
          continue;
        }
        slot = static_cast<int>(free_slot - gpu_busy.begin());
      }
      it = pending.erase(it);
      util::Result<ProcessSpec> spec = prepare(job, slot);
      if (!spec) {
        ProcessResult failed;
        failed.status = ProcessResult::Status::spawn_failed;
        failed.spawn_error = spec.error();
        ++stats.finished;
        finish(job, failed);
        continue;
      }
      if (slot >= 0) {
        gpu_busy[static_cast<std::size_t>(slot)] = true;
        slot_of[job] = slot;
      }
      ++running;
      ++stats.started;
      stats.peak_parallel = std::max(stats.peak_parallel, running);
      m_runner.start(job, *spec);
    }
  };

  start_what_fits();
  while (running > 0) {
    std::optional<CommandRunner::Completion> completion = m_runner.wait();
    if (!completion) break;
    --running;
    ++stats.finished;
    if (auto slot = slot_of.find(completion->token); slot != slot_of.end()) {
      gpu_busy[static_cast<std::size_t>(slot->second)] = false;
      slot_of.erase(slot);
    }
    finish(completion->token, completion->result);
    start_what_fits();
  }
  stats.not_started = pending.size();
  return stats;
}

}  // namespace seedgate
