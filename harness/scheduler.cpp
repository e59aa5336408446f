#include "harness/scheduler.hpp"

#include <algorithm>
#include <list>
#include <map>

namespace seedgate {
namespace {

// The order jobs are offered a slot in (see scheduler.hpp): longest expected
// first, unknown durations before all known ones, ties in list order.
std::list<std::size_t> start_order(const std::vector<JobNeeds>& needs) {
  std::vector<std::size_t> order(needs.size());
  for (std::size_t i = 0; i < needs.size(); ++i) order[i] = i;
  auto known = [&](std::size_t job) { return needs[job].expected_seconds >= 0; };  // false for NaN too
  if (std::any_of(order.begin(), order.end(), known)) {
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (known(a) != known(b)) return !known(a);
      return known(a) && needs[a].expected_seconds > needs[b].expected_seconds;
    });
  }
  return {order.begin(), order.end()};
}

// The slot a GPU job can start on now, or -1: its own GPU's slot for a job
// pinned to one within the slots, else the first free one.
int free_gpu_slot(const std::vector<bool>& busy, int device) {
  if (device >= 0 && static_cast<std::size_t>(device) < busy.size())
    return busy[static_cast<std::size_t>(device)] ? -1 : device;
  auto free_slot = std::find(busy.begin(), busy.end(), false);
  return free_slot == busy.end() ? -1 : static_cast<int>(free_slot - busy.begin());
}

}  // namespace

Scheduler::Scheduler(CommandRunner& runner, int jobs, int gpu_slots)
    : m_runner(runner), m_jobs(std::max(1, jobs)), m_gpu_slots(std::max(0, gpu_slots)) {}

SchedulerStats Scheduler::run(const std::vector<JobNeeds>& needs, const Prepare& prepare, const Finish& finish,
                              const Stop& stop) {
  SchedulerStats stats;
  std::list<std::size_t> pending = start_order(needs);
  std::vector<bool> gpu_busy(static_cast<std::size_t>(m_gpu_slots), false);
  std::map<std::size_t, int> slot_of;  // running job -> GPU slot
  auto cpus_of = [&](std::size_t job) { return std::max(1, needs[job].cpus); };
  std::size_t running = 0;
  int cpus_in_use = 0;

  auto start_what_fits = [&] {
    for (auto it = pending.begin(); it != pending.end() && cpus_in_use < m_jobs;) {
      if (m_runner.interrupted() || (stop && stop())) return;
      std::size_t job = *it;
      if (running > 0 && cpus_in_use + cpus_of(job) > m_jobs) return;
      int slot = -1;
      if (needs[job].gpu) {
        slot = free_gpu_slot(gpu_busy, needs[job].gpu_device);
        if (slot < 0) {
          ++it;
          continue;
        }
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
      cpus_in_use += cpus_of(job);
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
    cpus_in_use -= cpus_of(completion->token);
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
