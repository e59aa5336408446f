#include "harness/makespan.hpp"

#include <algorithm>
#include <cmath>

namespace seedgate {

DurationHistory::Configuration DurationHistory::configuration_of(const RunSpec& run) {
  return {run.mode, run.device, run.threads, run.variant, run.fold};
}

void DurationHistory::add(const RunRecord& record) {
  bool finished =
      record.status == RunStatus::passed || record.status == RunStatus::failed || record.status == RunStatus::timed_out;
  // A program that could not be started took no time that says anything.
  if (!finished || record.process.status == ProcessResult::Status::spawn_failed) return;
  double seconds = record.process.wall_seconds;
  if (!std::isfinite(seconds) || seconds < 0) return;
  m_by_id.insert_or_assign(record.run.id, seconds);
  Sum& sum = m_by_configuration[configuration_of(record.run)];
  sum.seconds += seconds;
  ++sum.runs;
}

double DurationHistory::expected(const RunSpec& run) const {
  if (auto own = m_by_id.find(run.id); own != m_by_id.end()) return own->second;
  if (auto same = m_by_configuration.find(configuration_of(run)); same != m_by_configuration.end())
    return same->second.seconds / static_cast<double>(same->second.runs);
  return -1;
}

std::vector<double> expected_seconds(const std::vector<RunSpec>& runs, const std::vector<RunRecord>& earlier) {
  DurationHistory history;
  for (const RunRecord& record : earlier) history.add(record);
  std::vector<double> seconds;
  seconds.reserve(runs.size());
  for (const RunSpec& run : runs) seconds.push_back(history.expected(run));
  return seconds;
}

double lpt_bound(const std::vector<double>& seconds, int jobs) {
  double longest = 0;
  double total = 0;
  for (double s : seconds) {
    if (!(s >= 0)) continue;
    longest = std::max(longest, s);
    total += s;
  }
  return std::max(longest, total / std::max(1, jobs));
}

}  // namespace seedgate
